// vitest globalSetup: one private PostgreSQL server for the whole run (test/support/postgres.ts), its URL handed to
// the test files through `provide` (read with pgServerUrl in test/support/pgTest.ts). Without the binaries the
// tests that need it skip, except in CI (CI=true), where a missing server is an error: .ci/run installs it.

import type { TestProject } from "vitest/node"
import { findPgBinDir, type PgServer, startPostgres } from "./postgres.js"

declare module "vitest" {
  export interface ProvidedContext {
    /** The server's URL (maintenance database), or "" when there is none. */
    cclPgUrl: string
    /** Why there is no server, for the skip message. */
    cclPgMissing: string
  }
}

export default async function setup(project: TestProject) {
  // A server given from outside (a developer's own) is used as it is and never stopped here.
  const given = process.env.CCL_TEST_PG_URL
  if (given !== undefined && given !== "") {
    project.provide("cclPgUrl", given)
    project.provide("cclPgMissing", "")
    return
  }
  const binDir = findPgBinDir()
  if (binDir === undefined) {
    const why =
      "PostgreSQL binaries not found (initdb, pg_ctl, psql): install Debian's postgresql package, " +
      "set CCL_PG_BINDIR to their folder, or CCL_TEST_PG_URL to a server of yours"
    if (process.env.CI === "true") throw new Error(`ci: ${why}`)
    project.provide("cclPgUrl", "")
    project.provide("cclPgMissing", why)
    return
  }
  const server: PgServer = await startPostgres(binDir)
  project.provide("cclPgUrl", server.url)
  project.provide("cclPgMissing", "")
  // Child processes started by tests (a daemon) find it too.
  process.env.CCL_TEST_PG_URL = server.url
  return () => server.stop()
}
