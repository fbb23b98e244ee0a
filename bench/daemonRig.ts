import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

const CCL = path.resolve("dist/ccl.mjs")

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer()
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })

/**
 * A daemon on a private tmux server with `size` simulated agents in the pool (plus `dedicated` dedicated sessions
 * and a second account with shared links when asked), as a user would run it. `queue`: the `queue:` of its
 * ccl.yaml (a Postgres URL); by default a folder of its own.
 */
export const startDaemon = async (
  size: number,
  workMs: number,
  options: { dedicated?: number; queue?: string } = {},
) => {
  const dir = mkdtempSync(path.join(tmpdir(), "ccl-bench-daemon-"))
  const socket = `ccl-bench-${process.pid}-${size}-${options.dedicated ?? 0}`
  const port = await freePort()
  const home = path.join(dir, "home")
  const backup = path.join(dir, "home-backup")
  const dedicated = Array.from({ length: options.dedicated ?? 0 }, (_, i) => `ccl-${i + 1}-project`)
  mkdirSync(path.join(dir, "work"), { recursive: true })
  for (const d of dedicated) mkdirSync(path.join(dir, d), { recursive: true })
  writeFileSync(
    path.join(dir, "ccl.yaml"),
    [
      `queue: ${options.queue ?? "./queue"}`,
      "state: ./state",
      `tmux: { socket: ${socket} }`,
      `agent: { command: ${process.execPath}, args: [${CCL}, sim-agent, --work-ms, "${workMs}"] }`,
      `pool: { size: ${size}, cwd: ${path.join(dir, "work")} }`,
      `dedicated: [${dedicated.map((d) => `{ name: ${d}, cwd: ${path.join(dir, d)} }`).join(", ")}]`,
      `accounts: [{ name: main, home: ${home} }, { name: backup, home: ${backup} }]`,
      `shared: { root: ${path.join(dir, "shared")} }`,
      `api: { port: ${port} }`,
    ].join("\n"),
  )
  // HOME is the bench's folder, as in the tests: the machine's own shell rc files (pyenv...) are not measured.
  const env = { ...process.env, HOME: dir, CCL_CACHE_DIR: path.join(dir, ".cache") }
  execFileSync(process.execPath, [CCL, "accounts", "ensure"], { cwd: dir, env, stdio: "ignore" })
  execFileSync(process.execPath, [CCL, "hooks", "install"], { cwd: dir, env, stdio: "ignore" })
  // CCL_BENCH_CPU_PROF=DIR: the daemon writes a V8 CPU profile there when it stops (what limits a figure).
  const profile = process.env.CCL_BENCH_CPU_PROF
  const flags = profile === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profile}`]
  const child: ChildProcess = spawn(process.execPath, [...flags, CCL, "daemon"], {
    cwd: dir,
    env,
    stdio: "ignore",
  })
  const sessions = async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/sessions`)
      return (await r.json()) as Array<{ name: string; phase: string; account: string | null }>
    } catch {
      return []
    }
  }
  const deadline = Date.now() + 120_000
  while ((await sessions()).filter((s) => s.phase === "ready").length < size + dedicated.length) {
    if (Date.now() > deadline) {
      const stuck = (await sessions()).filter((s) => s.phase !== "ready")
      const screens = stuck.map((s) => {
        try {
          return `${s.name} (${s.phase}):\n${execFileSync("tmux", ["-L", socket, "capture-pane", "-p", "-J", "-t", `=${s.name}:`], { encoding: "utf8" }).trim()}`
        } catch {
          return `${s.name}: no pane`
        }
      })
      child.kill("SIGTERM")
      try {
        execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
      } catch {}
      throw new Error(`sessions did not become ready (${dir}):\n${screens.join("\n")}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    dir,
    home,
    socket,
    dedicated,
    sessions,
    state: path.join(dir, "state"),
    pid: child.pid!,
    /** The queue folder, or the URL given. */
    queue: options.queue ?? path.join(dir, "queue"),
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r))
      child.kill("SIGTERM")
      await exited
      try {
        execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
      } catch {}
      await new Promise((r) => setTimeout(r, 500))
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
      } catch {} // an agent's hook still writing: a temp folder left behind is no failure
    },
  }
}
