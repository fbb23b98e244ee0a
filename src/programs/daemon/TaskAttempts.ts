import { Clock, Effect, Either, Option } from "effect"
import {
  type AttemptEntry,
  backoffAfter,
  type FailureCause,
  renderAttempts,
} from "../../domain/AttemptLog.js"
import { parseTask } from "../../domain/Frontmatter.js"
import { forgetting } from "../../domain/InFlightState.js"
import { type ResultFooter, sessionFailedFooter } from "../../domain/ResultFooter.js"
import type { TaskInFlight } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"

/** What became of a failed attempt: back to pending/ (retry after `retryAt`), or failed/ for good. */
export type AttemptOutcome =
  | { readonly kind: "retry"; readonly retryAt: number }
  | { readonly kind: "failed"; readonly path: string }

/**
 * A failed attempt of a task a session held (DESIGN.md "Task file": failure causes): its cause kept, then the task
 * back in pending/ after its backoff, or in failed/ once it has had its `max_attempts`. A usage limit never comes
 * here. Callers run it under the daemon's lock, with the session's record already cleared of the task.
 */
export const makeTaskAttempts = Effect.gen(function* () {
  const settings = yield* AppConfig
  const queue = yield* TaskQueue
  const state = yield* StateStore
  const { counters } = yield* DaemonSessions
  const events = yield* DaemonEvents

  /** The task's own max_attempts and retry_backoff, from its file; the pool's when it cannot be read. */
  const limitsOf = (id: string) =>
    queue.get(id).pipe(
      Effect.map((found) => {
        const fm = Option.flatMap(found, (t) => Either.getRight(parseTask(t.text))).pipe(
          Option.map((p) => p.frontmatter),
          Option.getOrUndefined,
        )
        return {
          max: fm?.max_attempts ?? settings.pool.maxAttempts,
          backoffMs: fm?.retry_backoff ?? settings.pool.retryBackoffMs,
        }
      }),
      Effect.orElseSucceed(() => ({
        max: settings.pool.maxAttempts,
        backoffMs: settings.pool.retryBackoffMs,
      })),
    )

  /** The attempts logged so far for `id`, and this one. */
  const logWith = (id: string, entry: AttemptEntry) => [...(state.get().attempt_log[id] ?? []), entry]

  const failed = Effect.fn("TaskAttempts.failed")(function* (
    holder: { readonly name: string; readonly account?: string | undefined },
    t: TaskInFlight,
    cause: FailureCause,
    detail: string,
  ) {
    const now = yield* Clock.currentTimeMillis
    const { max, backoffMs } = yield* limitsOf(t.id)
    const entry: AttemptEntry = {
      n: t.attempt,
      cause,
      session: holder.name,
      at: new Date(now).toISOString(),
      detail,
    }
    const log = logWith(t.id, entry)
    const told = {
      type: "task",
      id: t.id,
      session: holder.name,
      account: holder.account,
      attempt: t.attempt,
      route: "local",
      cause,
      detail,
    } as const
    if (t.attempt >= max) {
      const footer: ResultFooter = sessionFailedFooter(
        {
          session: holder.name,
          attempt: t.attempt,
          startedAt: new Date(t.startedAt).toISOString(),
          ...(holder.account === undefined ? {} : { account: holder.account }),
          attempts: renderAttempts(log),
        },
        cause,
        `${cause}: ${detail} (attempt ${t.attempt} of ${max})`,
        new Date(now),
      )
      const path = yield* queue
        .fail(t.id, footer)
        .pipe(Effect.catchTag("TaskNotFound", () => Effect.succeed("")))
      yield* state.update(forgetting(holder.name, t.id))
      counters.failed++
      yield* events.publish({ ...told, state: "failed" })
      yield* Effect.logWarning(
        `task ${t.id} failed for good on ${holder.name}: ${cause}: ${detail} (attempt ${t.attempt} of ${max}): failed/`,
      )
      return { kind: "failed", path } as AttemptOutcome
    }
    const retryAt = now + backoffAfter(t.attempt, backoffMs, settings.pool.retryBackoffMaxMs)
    // The failure is on record before the task leaves active/: a crash in between leaves an orphan that the sweep
    // gives back, with its attempt and backoff already kept.
    yield* state.update((s) => {
      const inflight = { ...s.inflight }
      if (inflight[holder.name]?.task === t.id) delete inflight[holder.name]
      return {
        ...s,
        inflight,
        attempts: { ...s.attempts, [t.id]: t.attempt },
        attempt_log: { ...s.attempt_log, [t.id]: log },
        retry_at: { ...s.retry_at, [t.id]: retryAt },
      }
    })
    // The queue keeps the attempt too: on a shared queue the next node counts on from it, after the backoff.
    yield* queue.release(t.id, { attempt: t.attempt, log, retryAt })
    counters.released++
    yield* events.publish({ ...told, state: "pending" })
    yield* Effect.logWarning(
      `task ${t.id} given back from ${holder.name}: ${cause}: ${detail} (attempt ${t.attempt} of ${max}); ` +
        `next attempt after ${new Date(retryAt).toISOString()}`,
    )
    return { kind: "retry", retryAt } as AttemptOutcome
  })

  /** The footer's `attempts:` for a task filed now (completed, or cancelled): its failed attempts, if any. */
  const attemptsSoFar = (id: string): string | undefined => {
    const log = state.get().attempt_log[id]
    return log === undefined || log.length === 0 ? undefined : renderAttempts(log)
  }

  return { failed, attemptsSoFar }
})

export type TaskAttempts = Effect.Effect.Success<typeof makeTaskAttempts>
