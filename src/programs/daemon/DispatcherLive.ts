import { Clock, Duration, Effect, FiberHandle, FiberSet, Layer, Option, SubscriptionRef } from "effect"
import { failureText } from "../../domain/FailureText.js"
import { failpoint } from "../../layers/failpoint.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delegation } from "../../services/Delegation.js"
import { Delivery } from "../../services/Delivery.js"
import { DispatchControl, mayDispatch } from "../../services/DispatchControl.js"
import { Dispatcher } from "../../services/Dispatcher.js"
import { QuotaPolicy } from "../../services/QuotaPolicy.js"
import { Router } from "../../services/Router.js"
import { StateStore } from "../../services/StateStore.js"
import { type PendingTask, TaskQueue } from "../../services/TaskQueue.js"
import { makeDispatchGate } from "./DispatchGate.js"
import { makeWaveGate } from "./WaveGate.js"

export const DispatcherLive = Layer.scoped(
  Dispatcher,
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const settings = yield* AppConfig
    const router = yield* Router
    const state = yield* StateStore
    const control = yield* DispatchControl
    const delivery = yield* Delivery
    const delegation = yield* Effect.serviceOption(Delegation)
    const events = yield* DaemonEvents
    const { table, locked, delivering } = yield* DaemonSessions
    /** Prompts being typed (outside the lock): SIGTERM lets them finish. */
    const deliveries = yield* FiberSet.make<void, never>()
    /** Submits to secutools under way (interrupted at SIGTERM: the marker keeps the idempotency key). */
    const submits = yield* FiberSet.make<void, never>()
    const submitting = new Set<string>()
    const { gate } = yield* makeDispatchGate
    const quota = yield* QuotaPolicy
    const wave = yield* makeWaveGate
    /** The wake-up at the next slot of a reset's staggered starts. */
    const waveWake = yield* FiberHandle.make<void, never>()
    /** The wake-up at the end of the nearest backoff (one at a time: each step sets it anew). */
    const retryWake = yield* FiberHandle.make<void, never>()

    /** The POST (with its retries) runs outside the lock: a slow platform never holds up local work. */
    const delegate = (task: PendingTask, provider: string, fallback?: string) =>
      Option.match(delegation, {
        onNone: () => Effect.void,
        onSome: (d) => {
          if (submitting.has(task.id)) return Effect.void
          // The marker, created before the POST, keeps the task out of listPending once it exists.
          submitting.add(task.id)
          return FiberSet.run(submits)(
            d.submit(task, provider, fallback).pipe(
              Effect.tap((s) =>
                Effect.zipRight(
                  Effect.logInfo(
                    `task ${task.id} delegated to ${s.provider} as job ${s.job_id}${fallback === undefined ? "" : ` (fallback: ${fallback})`}`,
                  ),
                  // In flight now: the dashboard shows the job without waiting for the reaper to file it.
                  events.publish({
                    type: "task",
                    id: task.id,
                    state: "active",
                    route: "delegated",
                    provider: s.provider,
                  }),
                ),
              ),
              Effect.catchAll((e) =>
                Effect.logWarning(`task ${task.id} not delegated now: ${failureText(e)}`),
              ),
              Effect.asVoid,
              Effect.ensuring(Effect.sync(() => submitting.delete(task.id))),
            ),
          ).pipe(Effect.asVoid)
        },
      })

    /** While every account is spent: tasks that may be delegated go to secutools (README "Fallback"). */
    const fallbackStep = (now: number) =>
      Effect.gen(function* () {
        if (Option.isNone(delegation) || !settings.delegation.fallbackOnExhausted) return
        const { ready } = yield* gate(yield* queue.listPending, now)
        for (const task of ready) {
          const decision = router.decide(task.frontmatter)
          if (decision.route === "delegate") yield* delegate(task, decision.provider)
          else {
            const provider = router.fallback(task.frontmatter)
            if (provider !== undefined) yield* delegate(task, provider, "accounts exhausted")
          }
        }
      })

    const step = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const c = yield* SubscriptionRef.get(control.state)
      if (!mayDispatch(c, now)) {
        // Every account spent (and nothing else holds dispatching): delegation.fallback_on_exhausted.
        if (!c.stopping && !c.swapping && !c.operatorPaused) yield* fallbackStep(now)
        return
      }
      const { ready, nextRetryAt } = yield* gate(yield* queue.listPending, now)
      if (nextRetryAt !== undefined)
        yield* FiberHandle.run(
          retryWake,
          Effect.zipRight(Effect.sleep(Duration.millis(nextRetryAt - now)), control.wake),
        )
      // The active account past accounts_policy.stop_new_tasks_at_percent: no new local task on it (the policy's
      // loop swaps once it may); delegated ones still go.
      const hold = quota.decide(now)
      let localWaiting = 0
      for (const task of ready) {
        const decision = router.decide(task.frontmatter)
        if (decision.route === "delegate") {
          yield* delegate(task, decision.provider)
          continue
        }
        localWaiting++
        if (hold.kind !== "ok") continue
        const free = table.freePool()
        if (free === undefined) continue
        const start = yield* wave.tryStart(free.name)
        if (!start.go) {
          yield* FiberHandle.run(
            waveWake,
            Effect.zipRight(Effect.sleep(Duration.millis(start.retryAt - now)), control.wake),
          )
          break
        }
        if (!(yield* queue.claim(task.id))) continue
        localWaiting--
        yield* failpoint("dispatch:claimed")
        delivering.add(task.id)
        const attempt = Math.max(state.get().attempts[task.id] ?? 0, task.attempts ?? 0) + 1
        table.set(free.name, { phase: "working" }, yield* Clock.currentTimeMillis)
        // Typing into one session must not hold up the others: the delivery runs outside the lock and takes it
        // only to commit (who holds the task) and to give the task back on failure. Never cut in half.
        yield* FiberSet.run(deliveries)(
          Effect.uninterruptible(
            delivery
              .deliver(free, task, attempt)
              .pipe(Effect.ensuring(Effect.sync(() => delivering.delete(task.id)))),
          ),
        )
      }
      quota.noteWaiting(localWaiting)
    })

    return Dispatcher.of({
      run: control.awaitWake.pipe(
        // A step is never cut in half (claim, /clear, paste): SIGTERM waits for it.
        Effect.zipRight(locked(Effect.uninterruptible(step))),
        Effect.catchAllCause((cause) => Effect.logError("dispatch step failed", cause)),
        Effect.forever,
      ),
      drain: Effect.gen(function* () {
        yield* SubscriptionRef.update(control.state, (s) => ({ ...s, stopping: true }))
        yield* FiberSet.clear(submits)
        yield* FiberSet.awaitEmpty(deliveries)
      }),
    })
  }),
)
