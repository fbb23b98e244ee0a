// A private PostgreSQL server for tests: its own cluster in a temp folder, loopback TCP on a free port and a
// unix socket in that folder, no password (trust, loopback only), fsync off. One server serves a whole vitest
// run (test/support/postgresGlobalSetup.ts starts it); each test file takes its own database (freshDatabase),
// so files running in parallel never see each other's rows.

import { spawnSync } from "node:child_process"
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

/** The role every test connects as (a superuser of the private cluster, so tests may CREATE DATABASE). */
export const PG_USER = "ccl"

/** The folder with initdb, pg_ctl and psql: CCL_PG_BINDIR, `pg_config --bindir`, Debian's newest, else PATH. */
export const findPgBinDir = (): string | undefined => {
  const has = (dir: string) => ["initdb", "pg_ctl", "psql"].every((b) => existsSync(path.join(dir, b)))
  const fromEnv = process.env.CCL_PG_BINDIR
  if (fromEnv !== undefined && fromEnv !== "") return has(fromEnv) ? fromEnv : undefined
  const candidates: Array<string> = []
  const cfg = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" })
  if (cfg.status === 0) candidates.push(cfg.stdout.trim())
  // Debian installs the server outside PATH, one folder per major version: newest first.
  const debian = "/usr/lib/postgresql"
  if (existsSync(debian))
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a)))
      candidates.push(path.join(debian, v, "bin"))
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir !== "") candidates.push(dir)
  return candidates.find(has)
}

export interface PgServer {
  /** `postgres://ccl@127.0.0.1:PORT/postgres`: the maintenance database; tests use freshDatabase. */
  readonly url: string
  readonly port: number
  /** The folder holding the unix socket (`host=` for clients that take one). */
  readonly socketDir: string
  readonly stop: () => void
}

/** A TCP port nobody listens on right now (the kernel's pick); a lost race is retried by startPostgres. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address()
      srv.close(() =>
        typeof addr === "object" && addr !== null ? resolve(addr.port) : reject(new Error("no port")),
      )
    })
  })

/** The postgres server refuses to run as root: as root, run its tools as the `postgres` user Debian creates. */
const asServerUser = (): { prefix: Array<string>; uid?: number; gid?: number } => {
  if (process.getuid?.() !== 0) return { prefix: [] }
  const id = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" })
  const uid = id("-u")
  const gid = id("-g")
  if (uid.status !== 0)
    throw new Error("running as root and there is no postgres user: install Debian's postgresql package")
  // util-linux's runuser lives in sbin, which a minimal PATH (a CI runner's) may not have.
  const runuser = ["/usr/sbin/runuser", "/sbin/runuser"].find((p) => existsSync(p)) ?? "runuser"
  return { prefix: [runuser, "-u", "postgres", "--"], uid: Number(uid.stdout), gid: Number(gid.stdout) }
}

const run = (argv: ReadonlyArray<string>, what: string) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", timeout: 120_000 })
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${`${r.stderr}${r.stdout}`.trim()}`)
  return r.stdout
}

/** Stops servers of earlier runs that died without their teardown (kill -9 of vitest), and removes their folders. */
const sweepOrphans = (binDir: string, prefix: ReadonlyArray<string>) => {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith("ccl-pg-")) continue
    const dir = path.join(tmpdir(), name)
    let owner = Number.NaN
    try {
      owner = Number(readFileSync(path.join(dir, "owner.pid"), "utf8"))
    } catch {}
    if (Number.isNaN(owner) || alive(owner)) continue
    pgCtlStop(binDir, prefix, path.join(dir, "data"))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** pg_ctl refuses to run as root, hence the prefix; `immediate` because a test server's data is thrown away. */
const pgCtlStop = (binDir: string, prefix: ReadonlyArray<string>, data: string) => {
  const argv = [...prefix, path.join(binDir, "pg_ctl"), "stop", "-D", data, "-m", "immediate"]
  spawnSync(argv[0]!, argv.slice(1), { timeout: 60_000 })
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Starts a private server; throws with the server's own words when it cannot. */
export const startPostgres = async (binDir: string): Promise<PgServer> => {
  const user = asServerUser()
  sweepOrphans(binDir, user.prefix)
  const dir = mkdtempSync(path.join(tmpdir(), "ccl-pg-"))
  writeFileSync(path.join(dir, "owner.pid"), String(process.pid))
  if (user.uid !== undefined) chownSync(dir, user.uid, user.gid!)
  const data = path.join(dir, "data")
  const bin = (b: string) => path.join(binDir, b)
  run(
    [...user.prefix, bin("initdb"), "-D", data, "-U", PG_USER, "--auth=trust", "-E", "UTF8", "--no-sync"],
    "initdb",
  )
  let lastError: unknown
  // A port picked free can be taken before the server binds it: a few tries with a new port.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const options = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      `-k ${dir}`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=200",
    ].join(" ")
    const log = path.join(dir, "server.log")
    try {
      run(
        [...user.prefix, bin("pg_ctl"), "start", "-w", "-t", "60", "-D", data, "-l", log, "-o", options],
        "pg_ctl start",
      )
    } catch (e) {
      lastError = new Error(`${(e as Error).message}\n${existsSync(log) ? readFileSync(log, "utf8") : ""}`)
      continue
    }
    let stopped = false
    const stop = () => {
      if (stopped) return
      stopped = true
      pgCtlStop(binDir, user.prefix, data)
      rmSync(dir, { recursive: true, force: true })
    }
    return { url: `postgres://${PG_USER}@127.0.0.1:${port}/postgres`, port, socketDir: dir, stop }
  }
  rmSync(dir, { recursive: true, force: true })
  throw lastError
}

let counter = 0

/**
 * A new empty database on the server at `serverUrl`, named after `name` plus this process and a counter so that
 * test files and reruns never share one; returns its URL. Left for the server's teardown to drop.
 */
export const freshDatabase = (serverUrl: string, name: string): string => {
  const binDir = findPgBinDir()
  if (binDir === undefined) throw new Error("psql not found: install Debian's postgresql package")
  const db = `${name
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40)}_${process.pid}_${++counter}`
  run(
    [
      path.join(binDir, "psql"),
      "-X",
      "-q",
      "-v",
      "ON_ERROR_STOP=1",
      "-d",
      serverUrl,
      "-c",
      `CREATE DATABASE "${db}"`,
    ],
    "CREATE DATABASE",
  )
  const u = new URL(serverUrl)
  u.pathname = `/${db}`
  return u.toString()
}
