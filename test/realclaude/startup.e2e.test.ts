// The real Claude Code 2.1.332 starts in every session ccl creates and reaches its idle prompt; a session held by
// a blocking dialog is reported as needing the operator, never typed into, never waited on forever.

import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import { realClaudeProject, sessionsOf } from "./realClaude.js"

const TOKEN = "realclaude-startup"

describe("real Claude Code: start-up", () => {
  it.live(
    "pool and dedicated sessions reach the real idle prompt; an untrusted folder's dialog needs the operator",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          realClaudeProject({
            poolSize: 2,
            token: TOKEN,
            dedicated: ["ccl-1-notes", "ccl-2-untrusted"],
            // Outside the trusted test folder: Claude Code asks "Quick safety check: ... trust?".
            dedicatedCwd: (dir, name) =>
              name === "ccl-2-untrusted" ? `${dir}-elsewhere` : path.join(dir, name),
          }),
        )
        const sessions = () => sessionsOf(p)
        p.start()
        const all = yield* Effect.promise(() =>
          eventually(
            async () => {
              const s = await sessions()
              const byName = new Map(s.map((x) => [x.name, x]))
              const readyOnes = ["ccl-pool-1", "ccl-pool-2", "ccl-1-notes"].every(
                (n) => byName.get(n)?.phase === "ready",
              )
              return readyOnes && byName.get("ccl-2-untrusted")?.needs_operator ? s : undefined
            },
            60_000,
            () => `${p.log()}\n${p.server.tmux("capture-pane", "-p", "-t", "=ccl-2-untrusted:")}`,
          ),
        )
        const untrusted = all.find((s) => s.name === "ccl-2-untrusted")!
        expect(untrusted.phase).toBe("starting")
        expect(untrusted.state).toBe("needs-operator")
        expect(untrusted.needs_operator).toContain("Quick safety check")
        expect(p.log()).toMatch(/session ccl-2-untrusted needs the operator: .*Quick safety check/)

        // The idle prompt of the real binary: `❯` + no-break space between rules, the bypass footer.
        for (const name of ["ccl-pool-1", "ccl-pool-2", "ccl-1-notes"]) {
          const screen = p.server.tmux("capture-pane", "-p", "-t", `=${name}:`)
          expect(screen).toContain("❯\u00a0")
          expect(screen).toContain("bypass permissions on")
          // ccl's tmux server has focus-events on: no "tmux focus-events off" notice in the footer.
          expect(screen).not.toContain("focus-events")
        }
        const status = yield* Effect.promise(() => p.ccl(["status"]))
        expect(status.stdout).toMatch(/ccl-2-untrusted needs the operator: .*Quick safety check/)

        // Never typed into: the dialog is still there, its default answer ("No, exit") never chosen.
        yield* Effect.sleep("3 seconds")
        const screen = p.server.tmux("capture-pane", "-p", "-t", "=ccl-2-untrusted:")
        expect(screen).toContain("Yes, I trust this folder")
        expect(p.mock.messages()).toEqual([])
      }),
    120_000,
  )

  it.live(
    "a home without the bypass-permissions acceptance: the warning dialog needs the operator",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          realClaudeProject({ poolSize: 1, token: TOKEN, omit: "bypass" }),
        )
        p.start()
        const s = yield* Effect.promise(() =>
          eventually(
            async () => {
              const all = await sessionsOf(p)
              return all.find((x) => x.name === "ccl-pool-1" && x.needs_operator !== null)
            },
            60_000,
            () => `${p.log()}\n${p.server.tmux("capture-pane", "-p", "-t", "=ccl-pool-1:")}`,
          ),
        )
        expect(s.needs_operator).toContain("Enter to confirm")
        yield* Effect.promise(() => p.ccl(["queue", "add", "--text", "never sent", "--id", "t1"]))
        yield* Effect.sleep("3 seconds")
        // The task waits: a session held by a dialog is not free.
        expect(p.ls("pending")).toContain("t1.md")
        expect(p.server.tmux("capture-pane", "-p", "-t", "=ccl-pool-1:")).toContain("Yes, I accept")
      }),
    120_000,
  )
})
