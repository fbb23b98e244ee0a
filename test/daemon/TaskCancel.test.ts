// The daemon's cancel (TaskCancel.ts) over in-memory tmux and queue (test/support/memoryDaemon.ts): the session
// interrupted and freed, the holder and attempts forgotten, and the fencing that keeps the interrupted turn's late
// Stop from filing the next task. Real clock. On real tmux with the simulated agent: operator.e2e.test.ts.
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { CONVERSATION, IDLE, memoryDaemon as rig, until } from "../support/memoryDaemon.js"

describe("TaskCancel (the daemon's cancel of an active task)", () => {
  it.live(
    "Esc, filed cancelled with its run, the session cleared and free; A's late Stop never files B",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-a"))
          const answer = yield* r.cancel("task-a", "not needed")
          expect(answer).toMatchObject({ id: "task-a", from: "active", status: "cancelled", session })
          expect(r.tmux.keys(session)).toContain("Escape")
          expect(yield* r.where("task-a")).toBe("failed")
          const a = yield* r.queue.get("task-a").pipe(Effect.orDie)
          const footer = parseFooter(Option.isSome(a) ? a.value.text : "")!.footer
          expect(footer).toMatchObject({
            status: "cancelled",
            cause: "cancelled",
            error: "cancelled: not needed",
            session,
            attempt: 1,
          })
          expect(footer.started_at).toBeDefined()
          // The holder and the attempt count are gone from state.json; the session clears, then is ready.
          expect(r.state.get().inflight[session]).toBeUndefined()
          expect(r.state.get().attempts["task-a"]).toBeUndefined()
          expect(r.record(session).task).toBeUndefined()
          r.tmux.setScreen(session, IDLE)
          yield* until(
            Effect.sync(() => (r.record(session).phase === "ready" ? true : undefined)),
            10_000,
            r.describe,
          )
          expect(r.tmux.sent(session)).toContain("/clear")
          // B goes to the same session; A's Stop (its prompt id) arrives after B was sent and before B's prompt id
          // is known: A's turn was filed, so B stays active, and B's own Stop files B.
          expect(yield* r.dispatch("task-b", "Do B")).toBe(session)
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "Interrupted by user", "prompt-a"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-b"))
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer", "prompt-b"))
          yield* r.untilIn("task-b", "done")
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
          // Finished and unknown tasks are refused, nothing moves.
          expect(yield* Effect.flip(r.cancel("task-a", undefined))).toMatchObject({ _tag: "Conflict" })
          expect(yield* Effect.flip(r.cancel("task-b", undefined))).toMatchObject({ _tag: "Conflict" })
          expect(yield* Effect.flip(r.cancel("nope", undefined))).toMatchObject({ _tag: "NotFound" })
          expect(yield* Effect.flip(r.cancel("../etc", undefined))).toMatchObject({ _tag: "NotFound" })
          expect(yield* r.where("task-b")).toBe("done")
        }),
      ),
  )

  it.live(
    "without a prompt id (its UserPromptSubmit not in yet): the late Stop is owed, B is still filed by its own",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          // A hooked agent whose hook for this prompt has not arrived.
          yield* r.dispatcher.onHook({
            event: "Notification",
            ccl_session: session,
            received_at: new Date().toISOString(),
            payload: { session_id: CONVERSATION, notification_type: "idle_prompt" },
          })
          yield* r.cancel("task-a", undefined)
          r.tmux.setScreen(session, IDLE)
          expect(yield* r.dispatch("task-b", "Do B")).toBe(session)
          // A's Stop arrives late, naming A's prompt (never bound): it pays the owed Stop, B stays active.
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "Interrupted by user", "prompt-a"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-b"))
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer", "prompt-b"))
          yield* r.untilIn("task-b", "done")
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
        }),
      ),
  )
})
