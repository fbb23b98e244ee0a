// pool.fresh_context after the turn (issue 12): a filed task's session gets /clear at once, so the next dispatch
// is paste + Enter with no /clear in its path; a /clear with no effect gets the session a new agent, nothing lost.
// The dispatcher over in-memory tmux and queue (test/support/memoryDaemon.ts), real clock.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { IDLE, memoryDaemon, TURN_ENDED, until } from "../support/memoryDaemon.js"

const SESSION = "ccl-pool-1"
const isTask = (id: string) => (t: string) => t.startsWith(`[ccl task ${id}:`)

describe("fresh context after the turn", () => {
  it.live("a new agent takes its first task without /clear; the /clear comes right after the filing", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* memoryDaemon(1)
        yield* r.allReady
        yield* r.dispatch("first", "Do the first")
        // A new agent's conversation is empty: nothing was cleared before the task.
        expect(r.tmux.sent(SESSION)).not.toContain("/clear")
        expect(r.tmux.sent(SESSION).at(-1)).toMatch(/^\[ccl task first:/)
        yield* r.filedFromScreen(SESSION, "first")
        // Filed: the /clear follows at once, with no task waiting, and the session is ready again once it shows.
        yield* until(
          Effect.sync(() => (r.record(SESSION).phase === "ready" ? true : undefined)),
          10_000,
          r.describe,
        )
        expect(r.tmux.sent(SESSION).at(-1)).toBe("/clear")
        expect(r.record(SESSION).contextFresh).toBe(true)
        // The next dispatch is the paste alone.
        yield* r.dispatch("second", "Do the second")
        const sent = r.tmux.sent(SESSION)
        expect(sent.filter((t) => t === "/clear")).toHaveLength(1)
        expect(sent.findIndex(isTask("second"))).toBe(sent.indexOf("/clear") + 1)
        expect(r.record(SESSION).contextFresh).toBe(false)
      }),
    ),
  )

  it.live(
    "a /clear after the filing with no effect: a new agent, and the next task still runs once",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1)
          yield* r.allReady
          yield* r.dispatch("first", "Do the first")
          r.tmux.ignoreClear(SESSION)
          yield* r.filedFromScreen(SESSION, "first")
          expect(r.record(SESSION).phase).toBe("clearing")
          // Not dispatched into while clearing.
          yield* r.queue.enqueue("second", "Do the second").pipe(Effect.orDie)
          yield* r.dispatcher.wake
          yield* r.settleLoops(500)
          expect(yield* r.where("second")).toBe("pending")
          // 5 s on: killed and created again (its launch line is all it was sent), then ready and given the task.
          yield* until(
            Effect.sync(() => (r.record(SESSION).phase === "starting" ? true : undefined)),
            15_000,
            r.describe,
          )
          expect(r.tmux.sent(SESSION).some(isTask("first"))).toBe(false)
          // The new agent at rest: ready, and the waiting task goes to it at once.
          r.tmux.setScreen(SESSION, IDLE)
          yield* until(
            Effect.sync(() => (r.tmux.sent(SESSION).some(isTask("second")) ? true : undefined)),
            10_000,
            () => `${r.describe()} ${JSON.stringify(r.tmux.sent(SESSION))}`,
          )
          expect(r.tmux.sent(SESSION).filter(isTask("second"))).toHaveLength(1)
          expect(r.tmux.sent(SESSION)).not.toContain("/clear")
        }),
      ),
    30_000,
  )

  it.live("an adopted-like session whose context is not known fresh is cleared before its task", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* memoryDaemon(1)
        yield* r.allReady
        r.record(SESSION).contextFresh = false
        r.tmux.setScreen(SESSION, TURN_ENDED)
        yield* r.dispatch("task", "Do it")
        const sent = r.tmux.sent(SESSION)
        expect(sent.slice(-2)).toEqual(["/clear", expect.stringMatching(/^\[ccl task task:/)])
      }),
    ),
  )
})
