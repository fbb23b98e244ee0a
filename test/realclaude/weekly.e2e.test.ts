// The weekly limit of the real Claude Code 2.1.332 comes with a modal menu ("What do you want to do?") that holds
// the input: ccl recognises it as a limit, closes it (Esc) and fails over; with nowhere to go it waits for the reset.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import { explain, sessionsOf, startedProject, tokenOf, untilDone, untilPhase } from "./realClaude.js"

const TOKEN = "realclaude-weekly"
const MENU = "What do you want to do?"

describe("real Claude Code: weekly limit", () => {
  it.live(
    "the weekly menu is a limit: failover to backup, the task continued there, the menu never left holding the input",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 1, token: TOKEN, accounts: ["main", "backup"] }, [
          "ccl-pool-1",
        ])
        yield* Effect.promise(() => p.mock.limit({ on: true, token: "home-main", claim: "seven_day" }))
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "weekly", "--text", "marker-weekly: task"]),
        )
        yield* Effect.promise(() => untilDone(p, "weekly", 90_000, explain(p, ["ccl-pool-1"])))
        expect(p.footer("done", "weekly")).toMatchObject({ account: "backup", attempt: 1 })
        expect(p.mock.promptsWith("marker-weekly").map((r) => [r.status, r.token])).toEqual([
          [429, tokenOf(p.homes.main!)],
        ])
        expect(p.log()).toMatch(/hit the usage limit of main .*resets 20\d\d-/)
        expect(p.server.tmux("capture-pane", "-p", "-t", "=ccl-pool-1:")).not.toContain(MENU)
      }),
    180_000,
  )

  it.live(
    "every account spent: the menu is closed, the session waits limited, new tasks stay pending until the reset",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 1, token: TOKEN }, ["ccl-pool-1"])
        yield* Effect.promise(() => p.mock.limit({ on: true, token: "home-main", claim: "seven_day" }))
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "weekly", "--text", "marker-weekly: task"]),
        )
        yield* Effect.promise(() => untilPhase(p, ["ccl-pool-1"], "limited", 60_000))
        // Esc closed the menu: the input is free again (Claude Code's own prompt, not the menu).
        const screen = yield* Effect.promise(() =>
          eventually(
            () => {
              const s = p.server.tmux("capture-pane", "-p", "-t", "=ccl-pool-1:")
              return s.includes(MENU) ? undefined : s
            },
            10_000,
            explain(p, ["ccl-pool-1"]),
          ),
        )
        expect(screen).toContain("❯\u00a0")
        const status = JSON.parse(
          (yield* Effect.promise(() => p.ccl(["failover", "status", "--json"]))).stdout,
        )
        expect(status.paused_until).not.toBeNull()
        expect(status.history.at(-1)).toMatchObject({ outcome: "waiting" })
        yield* Effect.promise(() => p.ccl(["queue", "add", "--id", "later", "--text", "marker-later: waits"]))
        yield* Effect.sleep("3 seconds")
        expect(p.ls("pending")).toContain("later.md")
        expect(p.ls("active")).toEqual(["weekly.md"])
        expect((yield* Effect.promise(() => sessionsOf(p)))[0]).toMatchObject({
          phase: "limited",
          task: "weekly",
        })
      }),
    180_000,
  )
})
