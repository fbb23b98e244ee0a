// The spool hook command run as Claude Code runs it (`sh -c`, the event on stdin), with dash and bash: a hostile
// payload and session name are written as data, a state folder with a space and quotes works, a payload over
// 1 MiB is cut off, and the daemon's drain reads every file back (issue 12).

import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import { SPOOL_PAYLOAD_LIMIT, spoolHookCommand } from "../../src/domain/HookSpool.js"
import { makeSpoolDrain, spoolDirs } from "../../src/programs/daemon/HookSpoolDrain.js"
import { tempDir } from "../support/tempDir.js"

const SHELLS = ["/bin/dash", "/bin/bash"].filter((s) => existsSync(s))

const runHook = (shell: string, command: string, input: string, env: Record<string, string>) =>
  new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(shell, ["-c", command], {
      // HOME: a bash started so may read ~/.bashrc (it does here); an empty one has nothing to say.
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tempDir(), ...env },
      stdio: ["pipe", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    child.on("close", (code) => resolve({ code, stderr }))
    child.stdin.on("error", () => {}) // a payload over the limit: head stops reading
    child.stdin.end(input)
  })

const spooled = (state: string) => {
  const { fresh, tmp } = spoolDirs(state)
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([])
  return existsSync(fresh) ? readdirSync(fresh).sort() : []
}

const drained = (state: string) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const seen: Array<HookRecord> = []
      yield* makeSpoolDrain(state, (r) => Effect.sync(() => void seen.push(r)))
      return seen
    }),
  )

describe.each(SHELLS)("the spool hook command under %s", (shell) => {
  it("writes a hostile payload and session name as data, into a state folder with a space and quotes", async () => {
    const root = tempDir()
    const state = path.join(root, `st ate'q"x`)
    const pwned = path.join(root, "pwned")
    const payload = {
      session_id: "abc",
      hook_event_name: "Stop",
      last_assistant_message: `$(touch ${pwned}) \`touch ${pwned}\` ' " \\ ; | && \n ${"$"}{HOME} %s %n`,
    }
    const session = `ccl-pool-1 $(touch ${pwned}) \`touch ${pwned}\` '"%s`
    const before = Date.now()
    const r = await runHook(shell, spoolHookCommand("Stop", state), JSON.stringify(payload), {
      CCL_SESSION: session,
    })
    expect(r).toEqual({ code: 0, stderr: "" })
    expect(existsSync(pwned)).toBe(false)
    const files = spooled(state)
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^\d{19}-\d+-[0-9a-f]{8}\.json$/)
    const file = path.join(spoolDirs(state).fresh, files[0]!)
    expect(readFileSync(file, "utf8")).toBe(`ccl-hook/1 Stop ${session}\n${JSON.stringify(payload)}`)
    // Made by the command itself (no daemon, no install yet): private.
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(spoolDirs(state).fresh).mode & 0o777).toBe(0o700)
    const [record] = await drained(state)
    expect(record).toEqual({ event: "Stop", ccl_session: session, received_at: record!.received_at, payload })
    expect(Date.parse(record!.received_at)).toBeGreaterThanOrEqual(before - 1)
    expect(Date.parse(record!.received_at)).toBeLessThanOrEqual(Date.now())
    expect(spooled(state)).toEqual([])
  })

  it("cuts a payload over 1 MiB off at the limit; the daemon keeps the event, payload as {raw}", async () => {
    const state = tempDir()
    const big = JSON.stringify({ session_id: "abc", filler: "x".repeat(SPOOL_PAYLOAD_LIMIT + 100_000) })
    const r = await runHook(shell, spoolHookCommand("Stop", state), big, { CCL_SESSION: "s1" })
    expect(r.code).toBe(0)
    const [name] = spooled(state)
    const text = readFileSync(path.join(spoolDirs(state).fresh, name!), "utf8")
    expect(text.length).toBe("ccl-hook/1 Stop s1\n".length + SPOOL_PAYLOAD_LIMIT)
    const records = await drained(state)
    expect(records).toHaveLength(1)
    // Not JSON any more: read as {raw}, of which the HookFields decoding keeps nothing.
    expect(records[0]).toMatchObject({ event: "Stop", ccl_session: "s1", payload: {} })
  })

  it("writes nothing without CCL_SESSION (the operator's own sessions); $CCL_STATE wins over the installed one", async () => {
    const installed = tempDir()
    const daemons = tempDir()
    expect(await runHook(shell, spoolHookCommand("Stop", installed), "{}", {})).toEqual({
      code: 0,
      stderr: "",
    })
    expect(spooled(installed)).toEqual([])
    const r = await runHook(shell, spoolHookCommand("Notification", installed), "{}", {
      CCL_SESSION: "s",
      CCL_STATE: daemons,
    })
    expect(r.code).toBe(0)
    expect(spooled(installed)).toEqual([])
    expect(spooled(daemons)).toHaveLength(1)
  })

  it("20 hooks at once: 20 files, none lost or mixed up", async () => {
    const state = tempDir()
    mkdirSync(spoolDirs(state).fresh, { recursive: true }) // tmp/ missing: the command makes it
    const command = spoolHookCommand("Stop", state)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runHook(shell, command, JSON.stringify({ prompt_id: `p${i}` }), { CCL_SESSION: `s${i}` }),
      ),
    )
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0))
    expect(new Set(spooled(state)).size).toBe(20)
    const records = await drained(state)
    expect(records.map((r) => r.ccl_session).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `s${i}`).sort(),
    )
    for (const r of records) expect(r.payload.prompt_id).toBe(`p${r.ccl_session?.slice(1)}`)
  })
})
