// The Postgres server of the pg benchmarks: CCL_BENCH_PG_URL when set, else a private one (test/support/postgres.ts:
// its own cluster in a temp folder, loopback only, fsync off), stopped when `f` is done. Each run takes a fresh
// database on it (freshDatabase).

import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { findPgBinDir, startPostgres } from "../test/support/postgres.js"

export const withPgServer = async <A>(bench: string, f: (serverUrl: string) => Promise<A>): Promise<A> => {
  const given = process.env.CCL_BENCH_PG_URL
  if (given !== undefined && given !== "") return f(given)
  const bin = findPgBinDir()
  if (bin === undefined)
    throw new Error(`${bench}: no PostgreSQL binaries (set CCL_BENCH_PG_URL or CCL_PG_BINDIR)`)
  const server = await startPostgres(bin)
  try {
    return await f(server.url)
  } finally {
    server.stop()
  }
}

/** Runs `sql` with psql on the database at `url`; its rows, unaligned, fields separated by one space. */
export const psql = (url: string, sql: string): string => {
  const bin = findPgBinDir()
  if (bin === undefined) throw new Error("psql not found: install Debian's postgresql package")
  const r = spawnSync(
    path.join(bin, "psql"),
    ["-X", "-q", "-At", "-F", " ", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", sql],
    {
      encoding: "utf8",
    },
  )
  if (r.status !== 0) throw new Error(`psql failed (exit ${r.status}): ${r.stderr.trim()}`)
  return r.stdout
}
