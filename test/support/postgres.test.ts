// The private PostgreSQL server of the test run (test/support/postgres.ts): reachable on loopback only, and each
// file's database is its own.

import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { expect, it } from "vitest"
import { describePg, pgDatabase } from "./pgTest.js"
import { findPgBinDir } from "./postgres.js"

const psql = (url: string, sql: string) =>
  spawnSync(
    path.join(findPgBinDir()!, "psql"),
    ["-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
    {
      encoding: "utf8",
    },
  )

describePg("private PostgreSQL server for tests", () => {
  it("gives each caller a fresh database, loopback only", () => {
    const a = pgDatabase("selftest")
    const b = pgDatabase("selftest")
    expect(a).not.toBe(b)
    expect(psql(a, "CREATE TABLE t (x int); INSERT INTO t VALUES (1)").status).toBe(0)
    expect(psql(b, "SELECT count(*) FROM t").status).not.toBe(0)
    const r = psql(a, "SELECT current_setting('listen_addresses'), current_setting('fsync')")
    expect(r.stdout.trim()).toBe("127.0.0.1|off")
  })
})
