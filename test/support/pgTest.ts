// The test side of the private PostgreSQL server (test/support/postgresGlobalSetup.ts starts it): its URL, a
// database of the test file's own, and a describe that skips with the reason when there is no server.

import { describe, inject } from "vitest"
import { freshDatabase } from "./postgres.js"

/** The run's server URL (maintenance database), or undefined when there is none. */
export const pgServerUrl = (): string | undefined => {
  const url = inject("cclPgUrl")
  return url === "" || url === undefined ? undefined : url
}

/** Why there is no server ("" when there is one). */
export const pgMissing = (): string => inject("cclPgMissing") ?? "globalSetup did not run"

/** A describe whose tests skip, saying why, when the run has no PostgreSQL server. */
export const describePg = (name: string, body: () => void) => {
  const missing = pgServerUrl() === undefined
  if (missing) console.warn(`skipping "${name}": ${pgMissing()}`)
  return describe.skipIf(missing)(name, body)
}

/** A new empty database for this test file (call once per file, or per test for full isolation); its URL. */
export const pgDatabase = (name: string): string => {
  const url = pgServerUrl()
  if (url === undefined) throw new Error(`no PostgreSQL server for tests: ${pgMissing()}`)
  return freshDatabase(url, name)
}
