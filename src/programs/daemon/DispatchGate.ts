import { Effect, Option } from "effect"
import { forgetting } from "../../domain/InFlightState.js"
import { rejectedFooter } from "../../domain/ResultFooter.js"
import {
  type DependencyState,
  dependencyError,
  type Readiness,
  resolveDependencies,
} from "../../domain/TaskDependencies.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { StateStore } from "../../services/StateStore.js"
import { type PendingTask, TaskQueue } from "../../services/TaskQueue.js"

/** What the dispatcher may start now, and when a task in backoff is due (to wake then). */
export interface GateResult {
  readonly ready: ReadonlyArray<PendingTask>
  readonly nextRetryAt: number | undefined
}

/**
 * Which pending tasks may start now (DESIGN.md "Task file"): not one in its backoff after a failed attempt, not
 * one whose `depends_on` are not all in done/. A task whose dependency failed, or that is on a dependency cycle,
 * never can: it goes to failed/ with the reason. Runs in the dispatch step, under the daemon's lock.
 */
export const makeDispatchGate = Effect.gen(function* () {
  const queue = yield* TaskQueue
  const state = yield* StateStore
  const { counters } = yield* DaemonSessions
  const events = yield* DaemonEvents

  /** Where each task named by a dependency is: pending ones from the listing, others from the queue. */
  const dependencyStates = (pending: ReadonlyArray<PendingTask>, withDeps: ReadonlyArray<PendingTask>) =>
    Effect.gen(function* () {
      const pendingIds = new Set(pending.map((t) => t.id))
      const states = new Map<string, DependencyState | undefined>()
      for (const t of withDeps)
        for (const id of t.frontmatter.depends_on ?? []) {
          if (pendingIds.has(id) || states.has(id)) continue
          states.set(id, Option.getOrUndefined(yield* queue.locate(id)))
        }
      return (id: string) => (pendingIds.has(id) ? "pending" : states.get(id))
    })

  /** A task that can never run because of its dependencies, filed in failed/. */
  const fileUnrunnable = (t: PendingTask, r: Readiness, now: number) =>
    Effect.gen(function* () {
      const error = dependencyError(r)
      if (error === undefined) return
      yield* queue.fail(t.id, rejectedFooter(error, new Date(now), r.kind)).pipe(
        Effect.tap(() => Effect.logWarning(`task ${t.id} cannot run: ${error}: failed/`)),
        Effect.catchTag("TaskNotFound", () => Effect.void),
      )
      counters.failed++
      yield* events.publish({ type: "task", id: t.id, state: "failed", cause: r.kind, detail: error })
      const s = state.get()
      if (s.attempts[t.id] !== undefined || s.retry_at[t.id] !== undefined)
        yield* state.update(forgetting(undefined, t.id))
    })

  const gate = Effect.fn("DispatchGate.gate")(function* (pending: ReadonlyArray<PendingTask>, now: number) {
    const retryAt = state.get().retry_at
    const withDeps = pending.filter((t) => (t.frontmatter.depends_on?.length ?? 0) > 0)
    let readiness: ReadonlyMap<string, Readiness> = new Map()
    if (withDeps.length > 0) {
      const stateOf = yield* dependencyStates(pending, withDeps)
      readiness = resolveDependencies(
        withDeps.map((t) => ({ id: t.id, dependsOn: t.frontmatter.depends_on ?? [] })),
        stateOf,
      )
      for (const t of withDeps) yield* fileUnrunnable(t, readiness.get(t.id)!, now)
    }
    let nextRetryAt: number | undefined
    const ready = pending.filter((t) => {
      // This daemon's backoff, or the one a shared queue keeps with the task (another node's failed attempt).
      const due = Math.max(retryAt[t.id] ?? 0, t.retryAt ?? 0) || undefined
      if (due !== undefined && due > now) {
        nextRetryAt = Math.min(nextRetryAt ?? due, due)
        return false
      }
      return (readiness.get(t.id)?.kind ?? "ready") === "ready"
    })
    return { ready, nextRetryAt } satisfies GateResult
  })

  return { gate }
})
