// `ccl attach`: tmux attach on the configured server, run for real inside an outer terminal (a tmux session on a
// second private server), and the list of sessions without a name.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { CCL, runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"
import { eventually, privateSocket } from "../support/tmux.js"

/** A project whose tmux server (a private socket) runs ccl-pool-1 showing a marker, and an outer terminal. */
const setUp = () => {
  const dir = tempDir()
  const inner = privateSocket()
  const outer = privateSocket()
  onTestFinished(() => {
    outer.kill()
    inner.kill()
  })
  writeFileSync(
    path.join(dir, "ccl.yaml"),
    [
      "queue: ./queue",
      "state: ./state",
      `tmux: { socket: ${inner.socket} }`,
      "pool: { size: 2 }",
      `dedicated: [{ name: ccl-1-mine, cwd: ${dir} }]`,
    ].join("\n"),
  )
  inner.tmux(
    "new-session",
    "-d",
    "-s",
    "ccl-pool-1",
    "-x",
    "80",
    "-y",
    "20",
    "echo INNER-SCREEN-MARK; exec sleep 600",
  )
  /** Runs `ccl ARGS` as the outer terminal's program; what that terminal shows. */
  const runInTerminal = (args: ReadonlyArray<string>) => {
    const command = [process.execPath, CCL, ...args].map((a) => `'${a}'`).join(" ")
    outer.tmux(
      "new-session",
      "-d",
      "-s",
      "terminal",
      "-x",
      "100",
      "-y",
      "30",
      "-c",
      dir,
      `${command}; sleep 600`,
    )
    return () => outer.tmux("capture-pane", "-p", "-t", "terminal")
  }
  /** Whether the inner server's one client (ccl attach's tmux) is read-only, once it attached. */
  const clientReadOnly = () =>
    eventually(
      () => {
        const clients = inner.tmux("list-clients", "-F", "#{client_readonly} #{session_name}").trim()
        return clients === "" ? undefined : clients
      },
      15_000,
      () => "no client attached",
    )
  return { dir, inner, runInTerminal, clientReadOnly }
}

describe("ccl attach", () => {
  it("attaches the terminal to the session on the configured tmux server", async () => {
    const { runInTerminal, clientReadOnly } = setUp()
    const screen = runInTerminal(["attach", "ccl-pool-1"])
    await eventually(() => (screen().includes("INNER-SCREEN-MARK") ? true : undefined), 15_000, screen)
    expect(await clientReadOnly()).toBe("0 ccl-pool-1")
  })

  it("--read-only attaches read-only (tmux -r)", async () => {
    const { runInTerminal, clientReadOnly } = setUp()
    const screen = runInTerminal(["attach", "ccl-pool-1", "--read-only"])
    await eventually(() => (screen().includes("INNER-SCREEN-MARK") ? true : undefined), 15_000, screen)
    expect(await clientReadOnly()).toBe("1 ccl-pool-1")
  })

  it("without NAME lists the sessions (name, kind, state) and how to attach", () => {
    const { dir, inner } = setUp()
    inner.tmux("new-session", "-d", "-s", "notes", "sleep 600")
    const r = runCcl(["attach"], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^SESSION\s+KIND\s+STATE$/m)
    expect(r.stdout).toMatch(/^ccl-pool-1\s+pool\s+running$/m)
    expect(r.stdout).toMatch(/^ccl-pool-2\s+pool\s+not running$/m)
    expect(r.stdout).toMatch(/^ccl-1-mine\s+dedicated\s+not running$/m)
    expect(r.stdout).toMatch(/^notes\s+other\s+running$/m)
    expect(r.stdout).toContain(`tmux -L ${inner.socket} attach -t NAME`)
  })

  it("an unknown NAME: exit 2 naming the known sessions; a configured one not running: exit 1", () => {
    const { dir } = setUp()
    const r = runCcl(["attach", "ccl-pool-9"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(
      /^ccl: no session named ccl-pool-9 on tmux -L \S+ \(known: ccl-pool-1, ccl-pool-2, ccl-1-mine\)\n$/,
    )
    const down = runCcl(["attach", "ccl-pool-2"], { cwd: dir })
    expect(down.code).toBe(1)
    expect(down.stderr).toContain("session ccl-pool-2 is not running")
  })
})
