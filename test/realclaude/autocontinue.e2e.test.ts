// Claude Code 2.1.234+ re-sends a turn by itself when its usage limit resets ("Continuing automatically at ...").
// ccl resumes that turn itself (after a failover, or at the reset when every account is spent), so it presses Esc
// at the limit: Claude Code's own auto-continue is cancelled and the turn runs once. Here every account is spent
// and the reset is 10 s away: ccl must press Esc before it. (At 4 s a CI run on a loaded 2-core machine once
// saw the StopFailure hook and the screen read come later than the reset; real resets are hours away.)

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import { explain, startedProject, tokenOf, untilDone, untilPhase } from "./realClaude.js"

const TOKEN = "realclaude-autocontinue"

describe("real Claude Code: native auto-continue at the reset", () => {
  it.live(
    "every account spent, reset in 10 s: Esc cancels Claude's auto-continue, ccl resumes the turn at the reset, it runs once",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 1, token: TOKEN }, ["ccl-pool-1"])
        // The only account is spent until 10 s from now (the mock lifts it by itself then).
        yield* Effect.promise(() => p.mock.limit({ on: true, token: "home-main", reset_in_s: 10 }))
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "once", "--text", "marker-once: run me once"]),
        )
        yield* Effect.promise(() => untilPhase(p, ["ccl-pool-1"], "limited", 60_000))
        // Esc reached Claude Code: its own continue is cancelled.
        yield* Effect.promise(() =>
          eventually(
            () =>
              p.server
                .tmux("capture-pane", "-p", "-t", "=ccl-pool-1:")
                .includes("Automatic continue cancelled")
                ? true
                : undefined,
            15_000,
            explain(p, ["ccl-pool-1"]),
          ),
        )
        // ccl waits for the reset (the screen shows minutes only: at most the end of the shown minute), then
        // resumes the conversation and tells it to continue.
        yield* Effect.promise(() => untilDone(p, "once", 150_000, explain(p, ["ccl-pool-1"])))
        // Wait past any auto-continue Claude Code could still have scheduled, then count.
        yield* Effect.sleep("5 seconds")
        const original = p.mock.promptsWith("marker-once")
        expect(original.map((r) => r.status)).toEqual([429])
        const conversation = original[0]!.session_id
        const later = p.mock
          .messages()
          .filter((r) => r.session_id === conversation && r.at > original[0]!.at && r.status === 200)
        // Exactly one answered turn after the limit, and it is ccl's continue prompt, not a re-sent original.
        expect(later.map((r) => r.prompt?.slice(0, 18))).toEqual(["[ccl task once] Th"])
        expect(later[0]!.token).toBe(tokenOf(p.homes.main!))
        expect(p.footer("done", "once")).toMatchObject({ account: "main", attempt: 1 })
        expect(p.ls("done")).toEqual(["once.md"])
      }),
    240_000,
  )
})
