// `ccl stop`: SIGTERM to the process that really holds the queue's daemon lock (a real daemon, or a stand-in
// bound to the lock's socket), then the wait for it to exit. A pid file alone never gets a process signalled.

import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { daemonLockSocket } from "../../src/programs/daemon/DaemonLock.js"
import { runCclAsync } from "../support/cli.js"
import { daemonProject } from "../support/daemonProject.js"
import { tempDir } from "../support/tempDir.js"
import { eventually } from "../support/tmux.js"

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null

/** A queue with a ccl.yaml, and a child process that holds its lock socket as a daemon would. */
const queueWithHolder = async (options: { ignoreTerm: boolean }) => {
  const dir = tempDir()
  writeFileSync(path.join(dir, "ccl.yaml"), "queue: ./queue\nstate: ./state\n")
  mkdirSync(path.join(dir, "queue"), { recursive: true })
  const name = daemonLockSocket(path.join(dir, "queue"))
  const holder = spawn(
    process.execPath,
    [
      "-e",
      `${options.ignoreTerm ? "process.on('SIGTERM', () => {});" : ""}
       require("net").createServer((s) => s.destroy()).listen({ path: "\\0" + process.argv[1] }, () => console.log("held"))`,
      name,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  )
  onTestFinished(() => {
    holder.kill("SIGKILL")
  })
  await new Promise((resolve) => holder.stdout!.once("data", resolve))
  return { dir, holder, lockFile: path.join(dir, "queue", ".daemon.lock") }
}

/** An unrelated process, alive until the test ends. */
const bystander = () => {
  const child = spawn("sleep", ["120"], { stdio: "ignore" })
  onTestFinished(() => {
    child.kill("SIGKILL")
  })
  return child
}

describe("ccl stop", () => {
  it("stops a real daemon: SIGTERM, waits until it exited (exit 0), its sessions keep running", async () => {
    const p = await daemonProject({ poolSize: 1, workMs: 100, token: "t-stop" })
    const daemon = p.start()
    const exited = new Promise<number | null>((resolve) => daemon.once("exit", (code) => resolve(code)))
    await eventually(
      async () => ((await p.api("/api/status").catch(() => undefined))?.ok ? true : undefined),
      20_000,
      () => p.log(),
    )
    const r = await p.ccl(["stop"])
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`sent SIGTERM to the ccl daemon (pid ${daemon.pid})`)
    expect(r.stdout).toContain(`ccl daemon ${daemon.pid} stopped`)
    // It had exited by the time stop returned: its exit code is already known, and it is the clean 0.
    expect(await exited).toBe(0)
    expect(existsSync(path.join(p.dir, "queue", ".daemon.lock"))).toBe(false)
    expect(p.server.tmux("list-sessions", "-F", "#{session_name}")).toContain("ccl-pool-1")
    // Stopping it again is not an error.
    const again = await p.ccl(["stop"])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("no daemon runs on this queue")
  }, 60_000)

  it("no daemon, and a stale lock file naming a live unrelated process: exit 0, nothing signalled", async () => {
    const dir = tempDir()
    writeFileSync(path.join(dir, "ccl.yaml"), "queue: ./queue\nstate: ./state\n")
    mkdirSync(path.join(dir, "queue"), { recursive: true })
    const other = bystander()
    writeFileSync(path.join(dir, "queue", ".daemon.lock"), String(other.pid))
    const r = await runCclAsync(["stop"], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(`no daemon runs on this queue (${path.join(dir, "queue")}): nothing to stop\n`)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(alive(other)).toBe(true)
  })

  it("signals the process that holds the lock even when the lock file names another", async () => {
    const { dir, holder, lockFile } = await queueWithHolder({ ignoreTerm: false })
    const other = bystander()
    writeFileSync(lockFile, String(other.pid))
    const r = await runCclAsync(["stop"], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`pid ${holder.pid}`)
    expect(
      holder.signalCode ?? (await new Promise((resolve) => holder.once("exit", (_c, s) => resolve(s)))),
    ).toBe("SIGTERM")
    expect(alive(other)).toBe(true)
  })

  it("a daemon that does not exit in time: exit 1 saying so; a bad --timeout: exit 2", async () => {
    const { dir, holder } = await queueWithHolder({ ignoreTerm: true })
    const r = await runCclAsync(["stop", "--timeout", "1s"], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      `ccl: the daemon (pid ${holder.pid}) is still running after 1s: wait longer (--timeout), or kill -9 ${holder.pid} (its sessions keep running)\n`,
    )
    expect(alive(holder)).toBe(true)
    const bad = await runCclAsync(["stop", "--timeout", "soon"], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("--timeout")
    expect(alive(holder)).toBe(true)
  })
})
