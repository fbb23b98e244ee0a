import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One private PostgreSQL server for the run, when its binaries exist (test/support/postgres.ts).
    globalSetup: ["test/support/postgresGlobalSetup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
})
