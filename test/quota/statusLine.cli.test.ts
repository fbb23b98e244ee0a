// The statusLine `ccl hooks install` writes (issue 14 "Quota intake"), run by hand as Claude Code runs it (`sh -c`,
// the statusline JSON on stdin) with dash and bash: it lands a StatusLine record in the spool that the daemon's drain
// reads back, prints ccl's line (account, 5 h %, 7 d %), runs the operator's own statusLine first with the same
// stdin; uninstall gives the operator's statusLine back. The built CLI (dist/ccl.mjs).

import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import { makeSpoolDrain, spoolDirs } from "../../src/programs/daemon/HookSpoolDrain.js"
import { runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const SHELLS = ["/bin/dash", "/bin/bash"].filter((s) => existsSync(s))
const fixture = readFileSync(
  path.resolve(__dirname, "../fixtures/claude-code/statusline/after-turn-rate-limits.json"),
  "utf8",
)

const project = (settings?: object) => {
  const cwd = tempDir()
  const home = path.join(cwd, "home-main")
  mkdirSync(home, { recursive: true })
  if (settings !== undefined) writeFileSync(path.join(home, "settings.json"), JSON.stringify(settings))
  writeFileSync(path.join(cwd, "ccl.yaml"), `state: ./state\naccounts:\n  - { name: main, home: ${home} }\n`)
  expect(runCcl(["hooks", "install"], { cwd }).code).toBe(0)
  const file = path.join(home, "settings.json")
  const read = () => JSON.parse(readFileSync(file, "utf8"))
  return { cwd, state: path.join(cwd, "state"), read, command: read().statusLine.command as string }
}

const run = (shell: string, command: string, input: string, env: Record<string, string> = {}) =>
  spawnSync(shell, ["-c", command], {
    input,
    encoding: "utf8",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tempDir(), ...env },
  })

const drained = (state: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const seen: Array<HookRecord> = []
      yield* makeSpoolDrain(state, (r) => Effect.sync(() => void seen.push(r)))
      return seen
    }),
  )

describe.each(SHELLS)("the installed statusLine under %s", (shell) => {
  it("spools the statusline JSON as a StatusLine record and prints the account's 5 h and 7 d %", async () => {
    const p = project()
    expect(p.read().statusLine.type).toBe("command")
    const r = run(shell, p.command, fixture, { CCL_SESSION: "ccl-pool-1" })
    expect(r.status).toBe(0)
    expect(r.stdout).toBe("ccl main · 5h 42% · 7d 10%\n")
    const records = await drained(p.state)
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({
      event: "StatusLine",
      ccl_session: "ccl-pool-1",
      payload: {
        session_id: JSON.parse(fixture).session_id,
        rate_limits: { five_hour: { used_percentage: 42 }, seven_day: { used_percentage: 10 } },
      },
    })
    // Outside ccl's sessions (no CCL_SESSION): the line, nothing spooled. No rate_limits: the account alone.
    const outside = run(shell, p.command, JSON.stringify({ session_id: "x", model: { id: "m" } }))
    expect(outside.stdout).toBe("ccl main\n")
    expect(readdirSync(spoolDirs(p.state).fresh)).toEqual([])
  })

  it("runs the operator's statusLine first with the same stdin; uninstall restores it", async () => {
    const seen = path.join(tempDir(), "seen.json")
    const operator = `cat > '${seen}'; echo "my line: it's mine"`
    const original = { statusLine: { type: "command", command: operator, padding: 0 }, model: "opus" }
    const p = project(original)
    const r = run(shell, p.command, fixture, { CCL_SESSION: "ccl-pool-2" })
    expect(r.stdout).toBe("my line: it's mine\nccl main · 5h 42% · 7d 10%\n")
    expect(JSON.parse(readFileSync(seen, "utf8"))).toEqual(JSON.parse(fixture))
    expect(await drained(p.state)).toHaveLength(1)
    // Installed twice: still one layer of ccl around the operator's command.
    runCcl(["hooks", "install"], { cwd: p.cwd })
    expect(run(shell, p.read().statusLine.command, fixture).stdout).toBe(
      "my line: it's mine\nccl main · 5h 42% · 7d 10%\n",
    )
    const u = runCcl(["hooks", "uninstall"], { cwd: p.cwd })
    expect(u.code).toBe(0)
    expect(u.stdout).toContain("statusLine restored to yours")
    expect(p.read()).toEqual(original)
  })
})
