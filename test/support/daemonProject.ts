// A ccl project for end-to-end tests of the daemon: ccl.yaml for a private tmux server, the simulated agent,
// account homes with hooks installed (and shared links when there are several), the built CLI as children.

import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs"
import { request as httpRequest } from "node:http"
import { createServer } from "node:net"
import * as path from "node:path"
import { expect, onTestFinished } from "vitest"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { CCL, runCclAsync } from "./cli.js"
import { tempDir } from "./tempDir.js"
import { eventually, privateSocket } from "./tmux.js"

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

/** GET /api/status with a chosen Host header, as a DNS-rebinding page's request would look (fetch won't). */
export const requestWithHost = (port: number, host: string, token: string) =>
  new Promise<number | undefined>((resolve) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/status", headers: { host, authorization: `Bearer ${token}` } },
      (res) => {
        res.resume()
        resolve(res.statusCode)
      },
    )
    req.on("error", () => resolve(undefined))
    req.end()
  })

export interface ProjectOptions {
  readonly poolSize: number
  readonly workMs: number
  readonly token: string
  readonly secutools?: string
  readonly secutoolsKey?: string
  /** Account names in failover order (homes `home-<name>`); default one account, `main`. */
  readonly accounts?: ReadonlyArray<string>
  /** Dedicated sessions, each with its own cwd (default `<dir>/<name>`). */
  readonly dedicated?: ReadonlyArray<string>
  readonly dedicatedCwd?: (dir: string, name: string) => string
  /** The agent command; default the simulated agent (`ccl sim-agent --work-ms <workMs>`). */
  readonly agent?: (dir: string) => { readonly command: string; readonly args: ReadonlyArray<string> }
  /** Runs on each account home before `ccl accounts ensure` and `ccl hooks install` (config files of the agent). */
  readonly prepareHome?: (home: string, dir: string) => void
  /** More ccl.yaml lines. */
  readonly yaml?: ReadonlyArray<string>
  /** The queue (a folder or a postgres:// URL); default `./queue`, the project's own. */
  readonly queue?: string
}

export const daemonProject = async (options: ProjectOptions) => {
  const dir = tempDir()
  const server = privateSocket()
  const accounts = options.accounts ?? ["main"]
  const homes = Object.fromEntries(accounts.map((a) => [a, path.join(dir, `home-${a}`)]))
  const port = await freePort()
  mkdirSync(path.join(dir, "work"), { recursive: true })
  const cwdOf = (name: string) => options.dedicatedCwd?.(dir, name) ?? path.join(dir, name)
  for (const d of options.dedicated ?? []) mkdirSync(cwdOf(d), { recursive: true })
  const agent = options.agent?.(dir) ?? {
    command: process.execPath,
    args: [CCL, "sim-agent", "--work-ms", `${options.workMs}`],
  }
  writeFileSync(
    path.join(dir, "ccl.yaml"),
    [
      `queue: ${options.queue ?? "./queue"}`,
      "state: ./state",
      `tmux: { socket: ${server.socket} }`,
      `agent: { command: ${agent.command}, args: [${agent.args.map((a) => JSON.stringify(a)).join(", ")}] }`,
      `pool: { size: ${options.poolSize}, cwd: ${path.join(dir, "work")}, max_attempts: 3, retry_backoff: 1s }`,
      `accounts: [${accounts.map((a) => `{ name: ${a}, home: ${homes[a]} }`).join(", ")}]`,
      `shared: { root: ${path.join(dir, "shared")} }`,
      `dedicated: [${(options.dedicated ?? []).map((d) => `{ name: ${d}, cwd: ${cwdOf(d)} }`).join(", ")}]`,
      `api: { port: ${port} }`,
      ...(options.yaml ?? []),
      ...(options.secutools === undefined ? [] : [`delegation: { url: ${options.secutools}, poll: 200ms }`]),
    ].join("\n"),
  )
  const env = {
    CCL_API_TOKEN: options.token,
    ...(options.secutoolsKey === undefined ? {} : { SECUTOOLS_API_KEY: options.secutoolsKey }),
  }
  const ccl = (args: ReadonlyArray<string>) => runCclAsync(args, { cwd: dir, env })
  for (const home of Object.values(homes)) {
    mkdirSync(home, { recursive: true })
    options.prepareHome?.(home, dir)
  }
  expect((await ccl(["accounts", "ensure"])).code).toBe(0)
  expect((await ccl(["hooks", "install"])).code).toBe(0)
  let daemon: ChildProcess | undefined
  let log = ""
  /** Starts the daemon; `extraEnv` e.g. arms a crash point (CCL_FAILPOINT). */
  const start = (extraEnv: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [CCL, "daemon"], {
      cwd: dir,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        CCL_CACHE_DIR: path.join(dir, ".cache"),
        ...env,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    })
    child.stdout!.on("data", (d) => (log += d))
    child.stderr!.on("data", (d) => (log += d))
    daemon = child
    return child
  }
  const api = (p: string, headers: Record<string, string> = { authorization: `Bearer ${options.token}` }) =>
    fetch(`http://127.0.0.1:${port}${p}`, { headers })
  const ls = (state: string) =>
    existsSync(path.join(dir, "queue", state)) ? readdirSync(path.join(dir, "queue", state)).sort() : []
  const footer = (state: string, id: string) =>
    parseFooter(readFileSync(path.join(dir, "queue", state, `${id}.md`), "utf8"))!.footer
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    const d = daemon
    if (d !== undefined && d.exitCode === null && d.signalCode === null) {
      const exited = new Promise<number | null>((r) => d.once("exit", (code) => r(code)))
      // "exit" can come before the last output is read: wait for the end of stdout too (at most 1 s), so that
      // a failing test's log is whole.
      const drained = new Promise<void>((r) => {
        d.stdout?.once("end", () => r())
        setTimeout(r, 1_000).unref()
      })
      d.kill(signal)
      const code = await exited
      await drained
      return code
    }
    return d?.exitCode ?? null
  }
  /** Every transcript entry of every conversation (shared `projects` counted once), with its file. */
  const transcripts = () => {
    const roots = new Set(
      Object.values(homes)
        .map((h) => path.join(h, "projects"))
        .filter((p) => existsSync(p))
        .map((p) => realpathSync(p)),
    )
    return [...roots].flatMap((root) =>
      readdirSync(root).flatMap((slug) =>
        // Real Claude Code also keeps folders there (per conversation): only the .jsonl files are transcripts.
        readdirSync(path.join(root, slug))
          .filter((f) => f.endsWith(".jsonl"))
          .map((f) => ({
            file: path.join(root, slug, f),
            entries: readFileSync(path.join(root, slug, f), "utf8")
              .split("\n")
              .filter((l) => l.trim() !== "")
              .map((l) => JSON.parse(l) as { type: string; message: { content: unknown } }),
          })),
      ),
    )
  }
  /** Every user prompt the simulated agents received, across all transcripts. */
  const prompts = () =>
    transcripts().flatMap((t) =>
      t.entries.filter((e) => e.type === "user").map((e) => String(e.message.content)),
    )
  /** Resolves once the started daemon answers GET /api/status (30 s at most, then fails with its log). */
  const answering = () =>
    eventually(
      async () => ((await api("/api/status").catch(() => undefined))?.ok ? true : undefined),
      30_000,
      () => log,
    )
  // Whatever the test's outcome (a failed wait ends an Effect.gen without running its finally): no daemon, tmux
  // server or agent outlives the test to load the machine for the next ones.
  onTestFinished(() => {
    if (daemon !== undefined && daemon.exitCode === null && daemon.signalCode === null) daemon.kill("SIGKILL")
    server.kill()
  })
  return {
    dir,
    homes,
    cwdOf,
    server,
    port,
    ccl,
    start,
    answering,
    stop,
    api,
    ls,
    footer,
    transcripts,
    prompts,
    log: () => log,
  }
}
