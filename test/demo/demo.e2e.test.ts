// `ccl demo` end to end, as a user runs it: the built CLI, not on a terminal (plain progress lines), to its exit.

import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { describe, expect, it } from "vitest"
import { CCL } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

/** Like runCclAsync (test/support/cli.ts), with room for the whole demo instead of its 30 s limit. */
const runDemo = (cwd: string, timeoutMs: number) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CCL, "demo"], {
      cwd,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    // SIGINT, as Ctrl-C would: the demo still stops everything it started.
    const timer = setTimeout(() => child.kill("SIGINT"), timeoutMs)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

describe("ccl demo (built CLI, real tmux)", () => {
  it("runs the mission: 12 tasks done, delegated providers, failover main -> backup, dedicated resumed, all cleaned up", async () => {
    expect(existsSync(CCL), `${CCL} is missing: run "npm run build"`).toBe(true)
    const r = await runDemo(tempDir(), 170_000)
    const out = `${r.stdout}\n${r.stderr}`
    const socket = /tmux socket (ccl-demo-\d+)/.exec(r.stdout)?.[1]
    const folder = /ccl demo: folder (\S+)/.exec(r.stdout)?.[1]
    expect(socket, out).toBeDefined()
    expect(folder, out).toBeDefined()
    // Whatever happened, nothing is left running or on disk.
    expect(spawnSync("tmux", ["-L", socket!, "ls"]).status, out).not.toBe(0)
    expect(existsSync(folder!), out).toBe(false)

    expect(r.code, out).toBe(0)
    expect(r.stdout).toContain("ccl demo: 12/12 tasks done in")
    expect(r.stdout).toMatch(/delegated\s+gpu\s+2\s+\$/)
    expect(r.stdout).toMatch(/delegated\s+gemini\s+1\s+\$/)
    expect(r.stdout).toMatch(/delegated\s+claude-api\s+1\s+\$/)
    expect(r.stdout).toMatch(/local\s+claude-code\s+8\s+-/)
    expect(r.stdout).toMatch(/^failover: main -> backup \(.+\), \d sessions relaunched: .*ccl-demo-notes/m)
    expect(r.stdout).toMatch(/t07-port-parser\s+backup\s+ccl-pool-\d/)
    expect(r.stdout).toMatch(/local tasks by account: .*main \d/)
    expect(r.stdout).toMatch(
      /^dedicated: ccl-demo-notes resumed under backup: Resumed conversation \S+ \(\d+ messages?\) under \S+home-backup$/m,
    )
    // Plain progress: timed lines, one of them the failover as it happened.
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d account=main pending=/m)
    expect(r.stdout).toMatch(/^\d\d:\d\d:\d\d failover main -> backup/m)
    expect(r.stdout).toContain(`files: ${folder} was removed`)
  }, 180_000)
})
