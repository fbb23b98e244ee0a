// The task model in the daemon (issue 13): depends_on, failure causes, attempts and their backoff. The dispatcher
// over in-memory tmux and queue (test/support/memoryDaemon.ts), real clock; the same rules on real tmux are in
// test/daemon/task-model.e2e.test.ts.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { BUSY, CONVERSATION, IDLE, memoryDaemon, until } from "../support/memoryDaemon.js"

const isTask = (id: string) => (t: string) => t.startsWith(`[ccl task ${id}:`)

const footerOf = (r: Effect.Effect.Success<ReturnType<typeof memoryDaemon>>, id: string) =>
  Effect.map(r.queue.get(id), (t) => parseFooter(Option.getOrThrow(t).text)!.footer).pipe(Effect.orDie)

const stopFailure = (name: string, error: string): HookRecord => ({
  event: "StopFailure",
  ccl_session: name,
  received_at: new Date().toISOString(),
  payload: {
    session_id: CONVERSATION,
    hook_event_name: "StopFailure",
    error,
    last_assistant_message: "API Error: 500",
  },
})

describe("depends_on", () => {
  it.live("a task waits for its dependency to be done, then runs", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* memoryDaemon(2)
        yield* r.allReady
        yield* r.queue
          .enqueue("second", "---\ndepends_on: [first]\n---\nAfter the first\n")
          .pipe(Effect.orDie)
        const first = yield* r.dispatch("first", "The first")
        yield* r.settleLoops()
        // A free session, and still the dependent task waits.
        expect(yield* r.where("second")).toBe("pending")
        expect(r.names.flatMap((n) => r.tmux.sent(n)).some(isTask("second"))).toBe(false)
        yield* r.filedFromScreen(first, "first")
        yield* until(
          Effect.sync(() => (r.names.some((n) => r.tmux.sent(n).some(isTask("second"))) ? true : undefined)),
          10_000,
          r.describe,
        )
      }),
    ),
  )

  it.live("a dependency in failed/ fails the task; a cycle fails every task in it; an unknown id waits", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* memoryDaemon(1)
        yield* r.allReady
        // A task that fails for good (its only attempt's session dies): its dependent fails after it.
        yield* r.queue.enqueue("child", "---\ndepends_on: [broken]\n---\nChild\n").pipe(Effect.orDie)
        const name = yield* r.dispatch("broken", "---\nmax_attempts: 1\n---\nBroken\n")
        r.tmux.vanish(name)
        yield* r.queue.enqueue("a", "---\ndepends_on: [b]\n---\nA\n").pipe(Effect.orDie)
        yield* r.queue.enqueue("b", "---\ndepends_on: [a]\n---\nB\n").pipe(Effect.orDie)
        yield* r.queue.enqueue("orphan", "---\ndepends_on: [not-yet]\n---\nLater\n").pipe(Effect.orDie)
        yield* r.dispatcher.wake
        for (const id of ["broken", "child", "a", "b"]) yield* r.untilIn(id, "failed")
        expect(yield* footerOf(r, "child")).toMatchObject({
          status: "failed",
          cause: "dependency_failed",
          error: "dependency broken failed",
        })
        expect(yield* footerOf(r, "a")).toMatchObject({
          cause: "dependency_cycle",
          error: "dependency cycle a -> b -> a",
        })
        expect(yield* footerOf(r, "b")).toMatchObject({
          cause: "dependency_cycle",
          error: "dependency cycle b -> a -> b",
        })
        yield* r.settleLoops()
        expect(yield* r.where("orphan")).toBe("pending")
        expect(r.tmux.sent("ccl-pool-1").some(isTask("orphan"))).toBe(false)
      }),
    ),
  )
})

describe("failure causes and attempts", () => {
  it.live(
    "an API error ends the attempt (agent_error): retried, then failed/ with every attempt listed",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1)
          yield* r.allReady
          const name = yield* r.dispatch("flaky", "---\nmax_attempts: 2\nretry_backoff: 0s\n---\nFlaky\n")
          yield* r.dispatcher.onHook(stopFailure(name, "server_error"))
          // Back to pending, then sent again (after its /clear) as attempt 2.
          r.tmux.setScreen(name, IDLE)
          yield* until(
            Effect.sync(() => (r.tmux.sent(name).filter(isTask("flaky")).length === 2 ? true : undefined)),
            10_000,
            r.describe,
          )
          expect(r.record(name).task).toMatchObject({ id: "flaky", attempt: 2 })
          expect(r.state.get().attempt_log.flaky).toMatchObject([
            { n: 1, cause: "agent_error", session: name },
          ])
          yield* r.dispatcher.onHook(stopFailure(name, "overloaded"))
          yield* r.untilIn("flaky", "failed")
          const footer = yield* footerOf(r, "flaky")
          expect(footer).toMatchObject({ status: "failed", cause: "agent_error", attempt: 2 })
          expect(footer.error).toMatch(/^agent_error: overloaded: API Error: 500 \(attempt 2 of 2\)$/)
          expect(footer.attempts).toMatch(
            /^1 agent_error \(ccl-pool-1, .*server_error.*\), 2 agent_error \(ccl-pool-1, .*overloaded/,
          )
          // Filed: state.json keeps nothing of it.
          expect(r.state.get().attempt_log.flaky).toBeUndefined()
          expect(r.state.get().attempts.flaky).toBeUndefined()
        }),
      ),
  )

  it.live(
    "a dead session is an attempt with backoff: the task waits out its retry_backoff before it runs again",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1)
          yield* r.allReady
          const name = yield* r.dispatch("fragile", "---\nretry_backoff: 10m\n---\nFragile\n")
          r.tmux.vanish(name)
          yield* r.untilIn("fragile", "pending")
          const retryAt = r.state.get().retry_at.fragile
          expect(retryAt).toBeGreaterThan(Date.now() + 5 * 60_000)
          expect(r.state.get().attempt_log.fragile).toMatchObject([{ n: 1, cause: "session_dead" }])
          // The session is back and free; the task stays pending in its backoff.
          yield* until(
            Effect.sync(() => (r.tmux.sessions().some((s) => s.name === name) ? true : undefined)),
            10_000,
            r.describe,
          )
          r.tmux.setScreen(name, IDLE)
          yield* until(
            Effect.sync(() => (r.record(name).phase === "ready" ? true : undefined)),
            10_000,
            r.describe,
          )
          yield* r.dispatcher.wake
          yield* r.settleLoops()
          expect(yield* r.where("fragile")).toBe("pending")
          // Another task is not held up by it.
          yield* r.dispatch("other", "Other")
        }),
      ),
  )

  it.live(
    "a prompt that cannot be typed is an attempt (undelivered): failed/ after the last, with tmux's words",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1, { refusePaste: (text) => text.startsWith("[ccl task stuck:") })
          yield* r.allReady
          yield* r.queue
            .enqueue("stuck", "---\nmax_attempts: 2\nretry_backoff: 0s\n---\nStuck\n")
            .pipe(Effect.orDie)
          yield* r.dispatcher.wake
          // The session is read afresh after each failed delivery: it shows the agent at rest again.
          yield* until(
            Effect.gen(function* () {
              if (r.record("ccl-pool-1").phase === "starting") r.tmux.setScreen("ccl-pool-1", IDLE)
              return (yield* r.where("stuck")) === "failed" ? true : undefined
            }),
            15_000,
            r.describe,
          )
          const footer = yield* footerOf(r, "stuck")
          expect(footer).toMatchObject({ status: "failed", cause: "undelivered", attempt: 2 })
          expect(footer.error).toContain("paste-buffer")
          expect(footer.error).toContain("no space for the buffer")
          expect(footer.attempts).toMatch(/^1 undelivered \(ccl-pool-1, .*\), 2 undelivered \(ccl-pool-1, /)
          // Another task still goes through the same session.
          yield* r.dispatch("fine", "Fine")
        }),
      ),
  )

  it.live("max_attempts: 1 and a dead session: failed/ at once with cause session_dead", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* memoryDaemon(1)
        yield* r.allReady
        const name = yield* r.dispatch("once", "---\nmax_attempts: 1\n---\nOnce\n")
        r.tmux.vanish(name)
        yield* r.untilIn("once", "failed")
        expect(yield* footerOf(r, "once")).toMatchObject({
          status: "failed",
          cause: "session_dead",
          attempt: 1,
          session: name,
        })
      }),
    ),
  )
})

describe("timeout", () => {
  it.live(
    "past its own timeout: the turn is interrupted, the attempt fails (cause timeout), the task runs again",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1, {
            watchdog: { staleAfterMs: 7_200_000, everyMs: 100, onStale: "report" },
          })
          yield* r.allReady
          const name = yield* r.dispatch("slow", "---\ntimeout: 1s\nretry_backoff: 0s\n---\nSlow\n")
          r.tmux.setScreen(name, BUSY)
          // watchdog.on_stale is "report" here: the task's own timeout is what acts.
          yield* until(
            Effect.sync(() => (r.state.get().attempt_log.slow !== undefined ? true : undefined)),
            15_000,
            r.describe,
          )
          expect(r.state.get().attempt_log.slow).toMatchObject([{ n: 1, cause: "timeout", session: name }])
          // A new agent for the session (its only text so far is its launch line); once at rest, the task is sent
          // again as attempt 2.
          yield* until(
            Effect.sync(() => (r.tmux.sent(name).length === 1 ? true : undefined)),
            10_000,
            () => JSON.stringify(r.tmux.sent(name)),
          )
          r.tmux.setScreen(name, IDLE)
          yield* until(
            Effect.sync(() => (r.record(name).task?.attempt === 2 ? true : undefined)),
            15_000,
            r.describe,
          )
        }),
      ),
  )
})
