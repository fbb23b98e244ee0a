import { Clock, Duration, Effect, Option } from "effect"
import { cancelledActiveFooter } from "../../domain/CancelFooter.js"
import { failureText } from "../../domain/FailureText.js"
import { forgetting } from "../../domain/InFlightState.js"
import type { SessionRecord, TaskInFlight } from "../../domain/SessionTable.js"
import { taskIdProblem } from "../../domain/TaskId.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delivery } from "../../services/Delivery.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { cancelPendingTask } from "../CancelPendingTask.js"
import { Conflict, NotFound, ServerError } from "./DaemonApiErrors.js"
import type { CancelAnswer } from "./DaemonApiSchemas.js"

/** Prompt ids of filed turns kept per session (as CompletionLive keeps them). */
const FILED_PROMPTS_KEPT = 8
/** A task claimed and being typed into a session has no holder yet: the cancel waits for its commit, this long. */
const DELIVERY_WAIT = Duration.millis(100)
const DELIVERY_TRIES = 100

const serverError = (e: { readonly _tag: string; readonly message?: string }) =>
  new ServerError({ message: failureText(e) })

/**
 * `POST /api/tasks/{id}/cancel`: under the sessions' lock, so the dispatcher never claims a task being cancelled
 * and no completion files one. Pending (and delegated) tasks go to failed/ as cancelled; an active one is
 * interrupted in its session (Esc), filed cancelled with that session's run, and the session is freed.
 */
export const makeTaskCancel = Effect.gen(function* () {
  const queue = yield* TaskQueue
  const tmux = yield* TmuxPool
  const state = yield* StateStore
  const delivery = yield* Delivery
  const control = yield* DispatchControl
  const { table, locked, delivering } = yield* DaemonSessions
  const events = yield* DaemonEvents

  const forget = (session: string | undefined, id: string) =>
    state
      .update(forgetting(session, id))
      .pipe(
        Effect.catchAll((e) => Effect.logError(`task ${id} cancelled, state not written: ${failureText(e)}`)),
      )

  /** The session stops its turn and is free again: cleared (pool) or ready (dedicated). */
  const interrupt = (r: SessionRecord, t: TaskInFlight, reason: string | undefined) =>
    Effect.gen(function* () {
      yield* tmux
        .sendKey(r.name, "Escape")
        .pipe(Effect.catchAll((e) => Effect.logWarning(`session ${r.name}: Esc not sent: ${failureText(e)}`)))
      const now = yield* Clock.currentTimeMillis
      const footer = cancelledActiveFooter(
        {
          session: r.name,
          account: r.account,
          attempt: t.attempt,
          resumeId: r.conversationId,
          startedAt: t.startedAt,
        },
        reason,
        new Date(now),
      )
      yield* queue.fail(t.id, footer)
      // Fencing, as for a completion: the interrupted turn's Stop, if it comes, never files the next task.
      if (t.promptId !== undefined)
        r.filedPrompts = [...r.filedPrompts, t.promptId].slice(-FILED_PROMPTS_KEPT)
      else if (r.hooked === true) r.owedStops++
      yield* forget(r.name, t.id)
      yield* Effect.logInfo(`task ${t.id} cancelled on ${r.name} (attempt ${t.attempt}): ${footer.error}`)
      yield* events.publish({ type: "task", id: t.id, state: "failed", session: r.name, cause: "cancelled" })
      if (r.phase !== "working") {
        // Limited, resuming, dead: the session keeps its course, without the task.
        table.set(r.name, { task: undefined }, now)
        return
      }
      if (r.kind === "pool") {
        table.set(r.name, { task: undefined }, now)
        // The interrupted turn stays in its conversation: /clear, as after any filed task, then ready.
        yield* delivery.clearAfterTurn(r)
      } else {
        table.set(r.name, { task: undefined, phase: "ready" }, now)
        yield* control.wake
      }
    })

  /** One look under the lock; "delivering" when the task is being typed into a session right now. */
  const cancelOnce = (id: string, reason: string | undefined) =>
    Effect.gen(function* () {
      const where = yield* queue.locate(id)
      if (Option.isNone(where)) return yield* new NotFound({ message: `task ${id} not found in the queue` })
      const folder = where.value
      if (folder === "done" || folder === "failed")
        return yield* new Conflict({
          message: `task ${id} is in ${folder}/: only pending or active tasks can be cancelled`,
        })
      if (folder === "pending") {
        const done = yield* cancelPendingTask(id, reason, new Date(yield* Clock.currentTimeMillis)).pipe(
          Effect.provideService(TaskQueue, queue),
        )
        // A task given back after a failed attempt has attempts and a backoff in state.json.
        yield* forget(undefined, id)
        yield* Effect.logInfo(done.message)
        yield* events.publish({ type: "task", id, state: "failed", cause: "cancelled" })
        return {
          id,
          from: "pending",
          status: "cancelled",
          ...(done.delegated ? { job_id: done.jobId } : {}),
          message: done.message,
        } satisfies CancelAnswer
      }
      const holder = table.all().find((r) => r.task?.id === id)
      if (holder?.task !== undefined) {
        yield* interrupt(holder, holder.task, reason)
        return {
          id,
          from: "active",
          status: "cancelled",
          session: holder.name,
          message: `cancelled ${id} (was active in ${holder.name}: interrupted, the session is free again)`,
        } satisfies CancelAnswer
      }
      if (delivering.has(id)) return "delivering" as const
      // In active/ and held by no session (the orphan sweep would give it back): filed as it is.
      const held = Object.entries(state.get().inflight).find(([, f]) => f.task === id)
      const now = new Date(yield* Clock.currentTimeMillis)
      yield* queue.fail(
        id,
        cancelledActiveFooter(
          {
            session: held?.[0],
            account: undefined,
            attempt: held?.[1].attempt,
            resumeId: undefined,
            startedAt: held?.[1].started_at,
          },
          reason,
          now,
        ),
      )
      yield* forget(held?.[0], id)
      return {
        id,
        from: "active",
        status: "cancelled",
        message: `cancelled ${id} (was in active/, held by no session)`,
      } satisfies CancelAnswer
    }).pipe(
      Effect.catchTags({
        // Filed by someone else between the look and the move (a delegated job's result, a Stop hook).
        TaskNotFound: () =>
          Effect.fail(new Conflict({ message: `task ${id} was finished meanwhile: nothing cancelled` })),
        QueueIOError: (e) => Effect.fail(serverError(e)),
      }),
    )

  return (
    id: string,
    reason: string | undefined,
  ): Effect.Effect<CancelAnswer, NotFound | Conflict | ServerError> =>
    Effect.gen(function* () {
      if (taskIdProblem(id) !== undefined)
        return yield* new NotFound({ message: `task ${id} not found in the queue` })
      for (let tries = 1; ; tries++) {
        const outcome = yield* locked(Effect.uninterruptible(cancelOnce(id, reason)))
        if (outcome !== "delivering") return outcome
        if (tries >= DELIVERY_TRIES)
          return yield* new Conflict({ message: `task ${id} is still being sent to a session: try again` })
        yield* Effect.sleep(DELIVERY_WAIT)
      }
    })
})
