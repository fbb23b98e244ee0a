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

/** A daemon on a private tmux server with `size` simulated agents, as a user would run it. */
export const startDaemon = async (size: number, workMs: number) => {
  const dir = mkdtempSync(path.join(tmpdir(), "ccl-bench-daemon-"))
  const socket = `ccl-bench-${process.pid}-${size}`
  const port = await freePort()
  const home = path.join(dir, "home")
  mkdirSync(path.join(dir, "work"), { recursive: true })
  writeFileSync(
    path.join(dir, "ccl.yaml"),
    [
      "queue: ./queue",
      "state: ./state",
      `tmux: { socket: ${socket} }`,
      `agent: { command: ${process.execPath}, args: [${CCL}, sim-agent, --work-ms, "${workMs}"] }`,
      `pool: { size: ${size}, cwd: ${path.join(dir, "work")} }`,
      `accounts: [{ name: main, home: ${home} }]`,
      `api: { port: ${port} }`,
    ].join("\n"),
  )
  const env = { ...process.env, CCL_CACHE_DIR: path.join(dir, ".cache") }
  execFileSync(process.execPath, [CCL, "hooks", "install"], { cwd: dir, env, stdio: "ignore" })
  const child: ChildProcess = spawn(process.execPath, [CCL, "daemon"], { cwd: dir, env, stdio: "ignore" })
  const sessions = async () => {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/sessions`)
      return (await r.json()) as Array<{ phase: string }>
    } catch {
      return []
    }
  }
  const deadline = Date.now() + 60_000
  while ((await sessions()).filter((s) => s.phase === "ready").length < size) {
    if (Date.now() > deadline) throw new Error("sessions did not become ready")
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    dir,
    home,
    pid: child.pid!,
    queue: path.join(dir, "queue"),
    stop: async () => {
      const exited = new Promise((r) => child.once("exit", r))
      child.kill("SIGTERM")
      await exited
      try {
        execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
      } catch {}
      await new Promise((r) => setTimeout(r, 500))
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    },
  }
}
