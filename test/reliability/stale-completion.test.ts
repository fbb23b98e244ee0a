// Fault 9 (RELIABILITY.md): a stale completion cannot move a task that has since been reassigned. The dispatcher
// over in-memory tmux and queue (test/support/memoryDaemon.ts), driven the way the daemon drives it. Real clock.

import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Option } from "effect"
import { classifyScreen } from "../../src/domain/ScreenState.js"
import { BUSY, CONVERSATION, IDLE, memoryDaemon as rig, TURN_ENDED, until } from "../support/memoryDaemon.js"

describe("stale completions (fencing)", () => {
  it.live("the screens used here read as the dispatcher expects", () =>
    Effect.sync(() => {
      expect(classifyScreen(IDLE, Date.now(), "UTC").state).toBe("idle")
      expect(classifyScreen(BUSY, Date.now(), "UTC").state).toBe("busy")
      expect(classifyScreen(TURN_ENDED, Date.now(), "UTC").state).toBe("idle")
    }),
  )

  it.live(
    "fault 9: task A filed from the screen, task B sent to the same session, then A's late Stop (received before B was sent) -> B stays in active/",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          expect(session).toBe("ccl-pool-1")
          // A's turn: busy, then idle with a new "✻ Baked for" line. Filed from the screen (no hook yet).
          yield* r.filedFromScreen(session, "task-a")
          // The moment A's Stop hook fired inside the session (its received_at): before B is sent.
          const aStoppedAt = Date.now()
          yield* Effect.sleep(Duration.millis(5))

          // B goes to the same (only) session.
          expect(yield* r.dispatch("task-b", "Do B")).toBe(session)
          const bSentAt = r.record(session).task!.sentAt
          expect(bSentAt).toBeGreaterThan(aStoppedAt)
          expect(yield* r.where("task-b")).toBe("active")

          // A's Stop arrives late, within the window after a screen-filed turn.
          yield* r.dispatcher.onHook(r.stop(session, aStoppedAt, "A's answer"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          expect(r.record(session).task?.id).toBe("task-b")
          expect(r.state.get().inflight[session]?.task).toBe("task-b")

          // The same late Stop delivered again, now past the window (a replay of the events file): the fence by
          // received_at still holds.
          yield* Effect.sleep(Duration.millis(5_500))
          yield* r.dispatcher.onHook(r.stop(session, aStoppedAt, "A's answer"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          expect(r.record(session).task?.id).toBe("task-b")

          // B's own Stop files B, with B's answer; A is in done/ once.
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer"))
          yield* r.untilIn("task-b", "done")
          const done = yield* r.queue.list("done").pipe(Effect.orDie)
          expect(done.map((t) => t.id).sort()).toEqual(["task-a", "task-b"])
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
          expect(Option.isSome(b) && b.value.text).not.toContain("A's answer")
        }),
      ),
    30_000,
  )

  it.live(
    "a session dies and giving its task back fails once: the task is given back on the next try, the session started again (issue 11, point 2)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1, { releaseFailures: 1 })
          yield* r.allReady
          const session = yield* r.dispatch("orphan", "Do it")
          r.tmux.vanish(session)
          // First try: the release fails; the session stays dead holding its task. Next try (5 s on): both done.
          yield* until(
            Effect.map(r.where("orphan"), (s) => (s === "pending" ? true : undefined)),
            20_000,
            r.describe,
          )
          yield* until(
            Effect.sync(() => (r.record(session).phase !== "dead" ? true : undefined)),
            20_000,
            r.describe,
          )
          expect(r.tmux.sessions().map((s) => s.name)).toContain(session)
        }),
      ),
    40_000,
  )

  it.live(
    "/clear shows no effect: the task goes back to pending/ (no attempt counted) and the session gets a new agent",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = "ccl-pool-1"
          // The last turn still on screen (an adopted agent: its context not known fresh), and it does not clear.
          r.record(session).contextFresh = false
          r.tmux.setScreen(session, TURN_ENDED)
          r.tmux.ignoreClear(session)
          yield* r.queue.enqueue("not-cleared", "Do it").pipe(Effect.orDie)
          yield* r.dispatcher.wake
          const cleared = () => r.tmux.sent(session).includes("/clear")
          yield* until(
            Effect.sync(() => (cleared() ? true : undefined)),
            10_000,
            r.describe,
          )
          // 5 s on, killed and created again: a new agent (its launch line), the task never pasted.
          yield* until(
            Effect.sync(() => (cleared() ? undefined : true)),
            15_000,
            r.describe,
          )
          expect(r.tmux.sent(session)).toHaveLength(1)
          expect(r.tmux.sent(session).some((t) => t.startsWith("[ccl task not-cleared:"))).toBe(false)
          expect(yield* r.where("not-cleared")).toBe("pending")
          expect(r.state.get().attempts["not-cleared"] ?? 0).toBe(0)
        }),
      ),
    30_000,
  )

  it.live(
    "a task stranded in active/ with no holder goes back by the sweep, not at the next restart (point 9)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("held", "Do it")
          // Stranded: in active/, held by no session (a give-back that failed, a claim without delivery).
          yield* r.queue.enqueue("stranded", "Stranded").pipe(Effect.orDie)
          expect(yield* r.queue.claim("stranded").pipe(Effect.orDie)).toBe(true)
          yield* r.dispatcher.sweepOrphans.pipe(Effect.orDie)
          expect(yield* r.where("stranded")).toBe("pending")
          // The task a session holds stays where it is.
          expect(yield* r.where("held")).toBe("active")
          expect(r.record(session).task?.id).toBe("held")
        }),
      ),
  )

  it.live(
    "a working session shows busy, not the idle of a hook from before its prompt (issue 11, point 15)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          // The agent's last hook before the task: a SessionStart (its /clear), which says idle.
          yield* r.dispatcher.onHook({
            event: "SessionStart",
            ccl_session: "ccl-pool-1",
            received_at: new Date().toISOString(),
            payload: { session_id: CONVERSATION, hook_event_name: "SessionStart", source: "clear" },
          })
          yield* Effect.sleep(Duration.millis(5))
          const session = yield* r.dispatch("shown-busy", "Do it")
          r.tmux.setScreen(session, BUSY)
          const view = yield* until(
            Effect.sync(() => {
              const v = r.dispatcher.table.view().find((s) => s.name === session)
              return v?.state === "busy" ? v : undefined
            }),
            10_000,
            r.describe,
          )
          expect(view).toMatchObject({
            phase: "working",
            state: "busy",
            decided_by: "screen",
            task: "shown-busy",
          })
        }),
      ),
  )

  it.live(
    "fault 23: state.json keeps nothing of a filed task (attempts and holder gone), however many run",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          for (const id of ["bounded-1", "bounded-2", "bounded-3"]) {
            const session = yield* r.dispatch(id, `Do ${id}`)
            expect(r.state.get().attempts[id]).toBe(1)
            yield* r.dispatcher.onHook(r.stop(session, Date.now(), `${id} done`))
            yield* until(
              Effect.map(r.where(id), (s) => (s === "done" ? true : undefined)),
              10_000,
              r.describe,
            )
            r.tmux.setScreen(session, IDLE)
          }
          // Forgotten in the step that files the task, just after the done/ file: wait for that write.
          yield* until(
            Effect.sync(() => (Object.keys(r.state.get().attempts).length === 0 ? true : undefined)),
            10_000,
            () => JSON.stringify(r.state.get().attempts),
          )
          expect(r.state.get().inflight).toEqual({})
        }),
      ),
  )

  // The late-Stop window of a screen-filed turn must not swallow the next task's own Stop: after the /clear that
  // task runs in another conversation, and its Stop names it.
  it.live(
    "fault 9 (converse): the current task's own Stop arriving inside the late-Stop window of the previous screen-filed turn files it",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          yield* r.filedFromScreen(session, "task-a")
          yield* r.dispatch("task-b", "Do B")
          // A's Stop never comes; B's turn is quick and its own Stop arrives inside the window.
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer"))
          yield* r.untilIn("task-b", "done", 3_000)
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
        }),
      ),
    30_000,
  )

  it.live(
    "fault 9: a Stop hook whose received_at is older than the current task's send time is ignored; a current one files it",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1)
          yield* r.allReady
          const session = yield* r.dispatch("task-c", "Do C")
          const sentAt = r.record(session).task!.sentAt
          // A Stop from the turn before the prompt (the /clear, an earlier task): older than the send.
          yield* r.dispatcher.onHook(r.stop(session, sentAt - 1, "an earlier turn"))
          yield* r.dispatcher.onHook(r.stop(session, sentAt - 60_000, "a much earlier turn"))
          yield* r.settleLoops()
          expect(yield* r.where("task-c")).toBe("active")
          expect(r.record(session).task?.id).toBe("task-c")
          expect(r.record(session).phase).toBe("working")
          // From the agent this session ran before it was launched: older than the launch itself.
          yield* r.dispatcher.onHook(r.stop(session, r.record(session).launchedAt - 1, "the previous agent"))
          yield* r.settleLoops()
          expect(yield* r.where("task-c")).toBe("active")

          // The task's own Stop (received at or after the send) files it, with its answer.
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "C's answer"))
          yield* r.untilIn("task-c", "done")
          const c = yield* r.queue.get("task-c").pipe(Effect.orDie)
          expect(Option.isSome(c) && c.value.text).toContain("C's answer")
          expect(Option.isSome(c) && c.value.text).not.toContain("earlier turn")
        }),
      ),
    30_000,
  )

  it.live(
    "fault 9: a Stop hook naming a session that holds no task (or no session at all) moves nothing",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(2)
          yield* r.allReady
          const busy = yield* r.dispatch("task-d", "Do D")
          const idle = busy === "ccl-pool-1" ? "ccl-pool-2" : "ccl-pool-1"
          const inflightBefore = r.state.get().inflight
          // The idle session holds nothing: its Stop must not file the other session's task.
          yield* r.dispatcher.onHook(r.stop(idle, Date.now(), "idle's answer"))
          // A session this daemon does not run, and a hook with no session at all.
          yield* r.dispatcher.onHook(r.stop("ccl-pool-9", Date.now(), "ghost"))
          yield* r.dispatcher.onHook({ ...r.stop(busy, Date.now(), "no session"), ccl_session: null })
          yield* r.settleLoops()
          expect(yield* r.where("task-d")).toBe("active")
          expect(r.record(busy).task?.id).toBe("task-d")
          expect(r.record(busy).phase).toBe("working")
          expect(r.record(idle).task).toBeUndefined()
          expect(r.record(idle).phase).toBe("ready")
          expect(r.dispatcher.table.get("ccl-pool-9")).toBeUndefined()
          expect(r.state.get().inflight).toEqual(inflightBefore)
          expect(yield* r.queue.counts.pipe(Effect.orDie)).toMatchObject({ active: 1, done: 0, failed: 0 })

          // The idle session still takes the next task, and only the right Stop files each.
          const next = yield* r.dispatch("task-e", "Do E")
          expect(next).toBe(idle)
          yield* r.dispatcher.onHook(r.stop(idle, Date.now(), "E's answer"))
          yield* r.untilIn("task-e", "done")
          expect(yield* r.where("task-d")).toBe("active")
          yield* r.dispatcher.onHook(r.stop(busy, Date.now(), "D's answer"))
          yield* r.untilIn("task-d", "done")
          const d = yield* r.queue.get("task-d").pipe(Effect.orDie)
          expect(Option.isSome(d) && d.value.text).toContain("D's answer")
        }),
      ),
    30_000,
  )
  // Issue 11, point 8: fencing by token. With fresh_context off the next task runs in the same conversation, so
  // only the prompt id (UserPromptSubmit -> Stop) tells whose Stop it is; timing windows swallowed the next one.
  it.live(
    "fencing by prompt id (fresh_context off): A filed from the screen, its Stop never comes; B's own quick Stop files B with its answer",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1, { freshContext: false })
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-a"))
          yield* r.filedFromScreen(session, "task-a")
          yield* r.dispatch("task-b", "Do B")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-b"))
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer", "prompt-b"))
          yield* r.untilIn("task-b", "done", 3_000)
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
        }),
      ),
    30_000,
  )

  it.live(
    "fencing by prompt id: A's late Stop (its own prompt id) received after B was sent and bound never files B",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1, { freshContext: false })
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-a"))
          yield* r.filedFromScreen(session, "task-a")
          yield* r.dispatch("task-b", "Do B")
          yield* r.dispatcher.onHook(r.submitted(session, "prompt-b"))
          // Received well after B was sent, and long after any window: still A's.
          yield* Effect.sleep(Duration.millis(20))
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "A's answer", "prompt-a"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer", "prompt-b"))
          yield* r.untilIn("task-b", "done", 3_000)
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
          expect(Option.isSome(b) && b.value.text).not.toContain("A's answer")
        }),
      ),
    30_000,
  )

  it.live(
    "fencing without prompt ids: a hooked agent's screen-filed turn owes one Stop; the next Stop pays it, whatever its timing, and B's own files B",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1, { freshContext: false })
          yield* r.allReady
          const session = yield* r.dispatch("task-a", "Do A")
          // The agent is hooked (a SessionStart arrived), but its hooks carry no prompt ids (an older Claude Code).
          yield* r.dispatcher.onHook({
            event: "Notification",
            ccl_session: session,
            received_at: new Date().toISOString(),
            payload: { session_id: CONVERSATION, notification_type: "idle_prompt" },
          })
          yield* r.filedFromScreen(session, "task-a")
          yield* r.dispatch("task-b", "Do B")
          yield* Effect.sleep(Duration.millis(20))
          // A's Stop, received after B was sent.
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "A's answer"))
          yield* r.settleLoops()
          expect(yield* r.where("task-b")).toBe("active")
          yield* r.dispatcher.onHook(r.stop(session, Date.now(), "B's answer"))
          yield* r.untilIn("task-b", "done", 3_000)
          const b = yield* r.queue.get("task-b").pipe(Effect.orDie)
          expect(Option.isSome(b) && b.value.text).toContain("B's answer")
          expect(Option.isSome(b) && b.value.text).not.toContain("A's answer")
        }),
      ),
    30_000,
  )

  it.live(
    "watchdog.on_stale: fail -> a task past its deadline is interrupted (Esc), filed in failed/ as timed out, the session gets a new agent (issue 11, point 11)",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* rig(1, { watchdog: { staleAfterMs: 300, everyMs: 50, onStale: "fail" } })
          yield* r.allReady
          // Its one attempt (a timeout is an attempt: with more, it would go back to pending/ after its backoff).
          const session = yield* r.dispatch("slow", "---\nmax_attempts: 1\n---\nTake forever")
          r.tmux.setScreen(session, BUSY)
          yield* until(
            Effect.map(r.where("slow"), (s) => (s === "failed" ? true : undefined)),
            10_000,
            r.describe,
          )
          const failed = yield* r.queue.get("slow").pipe(Effect.orDie)
          expect(Option.isSome(failed) && failed.value.text).toContain(
            "- error: timeout: past watchdog.stale_after (watchdog.on_stale: fail)",
          )
          expect(Option.isSome(failed) && failed.value.text).toContain("- cause: timeout")
          // Esc went to the old agent, then a new one: its only text so far is its launch line.
          yield* until(
            Effect.sync(() => (r.tmux.sent(session).length === 1 ? true : undefined)),
            10_000,
            () => JSON.stringify(r.tmux.sent(session)),
          )
          expect(r.state.get().inflight).toEqual({})
          expect(r.state.get().attempts).toEqual({})
        }),
      ),
    30_000,
  )
})
