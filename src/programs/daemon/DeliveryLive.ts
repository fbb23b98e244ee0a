import { randomUUID } from "node:crypto"
import { Clock, Effect, Either, FiberSet, Layer, Option } from "effect"
import { failureText } from "../../domain/FailureText.js"
import { holding } from "../../domain/InFlightState.js"
import { continuePrompt, taskPrompt } from "../../domain/LaunchCommand.js"
import { taskLocation } from "../../domain/QueueUrl.js"
import { limitLineCount } from "../../domain/ScreenState.js"
import { doneLineCount } from "../../domain/ScreenTurns.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { failpoint } from "../../layers/failpoint.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delivery } from "../../services/Delivery.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { type PendingTask, TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { makeContextClear } from "./ContextClear.js"
import { makeTaskAttempts } from "./TaskAttempts.js"

export const DeliveryLive = Layer.scoped(
  Delivery,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const queue = yield* TaskQueue
    const state = yield* StateStore
    const control = yield* DispatchControl
    const supervisor = yield* SessionSupervisor
    const { table, locked, counters } = yield* DaemonSessions
    const events = yield* DaemonEvents
    const attempts = yield* makeTaskAttempts
    /** /clears after filings, in the background: cut at SIGTERM (the next daemon clears at its first dispatch). */
    const clearings = yield* FiberSet.make<void, never>()

    const { clearContext } = makeContextClear(tmux)

    /** The background half of clearAfterTurn: ready once cleared, else a new agent (a fresh context for sure). */
    const clearing = (r: SessionRecord) =>
      Effect.gen(function* () {
        const cleared = yield* Effect.either(clearContext(r.name))
        yield* locked(
          Effect.uninterruptible(
            Effect.gen(function* () {
              // Replaced meanwhile (a failover, a death): the new record is someone else's business.
              if (table.get(r.name) !== r || r.phase !== "clearing") return
              const now = yield* Clock.currentTimeMillis
              if (Either.isRight(cleared) && Option.isSome(cleared.right)) {
                table.set(r.name, { phase: "ready", contextFresh: true }, now)
                return yield* control.wake
              }
              const why = Either.isLeft(cleared)
                ? failureText(cleared.left)
                : "/clear showed no effect within 5 s"
              yield* Effect.logWarning(`session ${r.name}: ${why}: a new agent for a fresh context`)
              table.set(r.name, { phase: "starting" }, now)
              yield* supervisor
                .launch(r.name, r.cwd, r.kind, undefined, true)
                .pipe(
                  Effect.catchAll((e) =>
                    Effect.logError(`session ${r.name}: relaunch failed: ${failureText(e)}`),
                  ),
                )
            }),
          ),
        )
      })

    /**
     * A failed delivery: the task back to pending/, the session free or given a new agent. A prompt that did not
     * go out is a failed attempt (with backoff); a session not ready for it (not cleared, replaced) is not one.
     */
    const giveBack = (
      free: SessionRecord,
      task: PendingTask,
      attempt: number,
      e: { readonly _tag: string; readonly message?: string },
    ) =>
      locked(
        Effect.gen(function* () {
          // A failover that kept the task for the resumed session owns it now.
          if (table.all().some((r) => r !== free && r.task?.id === task.id)) return
          const held = free.task
          if (e._tag === "Undelivered" && held?.id === task.id) {
            yield* attempts
              .failed(free, held, "undelivered", `the prompt did not reach ${free.name}: ${e.message}`)
              .pipe(
                Effect.catchAll((err) =>
                  Effect.logError(
                    `task ${task.id}: giving it back failed (${failureText(err)}); the orphan sweep retries`,
                  ),
                ),
              )
            free.task = undefined
            return yield* freeAgain(free, e)
          }
          yield* Effect.logError(
            `could not send task ${task.id} to ${free.name} (${failureText(e)}): back to pending/, not an attempt`,
          )
          // A failed give-back is said, and the orphan sweep gives the task back later.
          yield* queue
            .release(task.id)
            .pipe(
              Effect.catchAll((e) =>
                Effect.logError(
                  `task ${task.id}: giving it back failed (${failureText(e)}); the orphan sweep retries`,
                ),
              ),
            )
          yield* state
            .update((s) => {
              const inflight = { ...s.inflight }
              if (inflight[free.name]?.task === task.id) delete inflight[free.name]
              return { ...s, attempts: { ...s.attempts, [task.id]: attempt - 1 }, inflight }
            })
            .pipe(
              Effect.catchAll((e) =>
                Effect.logError(
                  `task ${task.id}: its attempt not recorded in the state file: ${failureText(e)}`,
                ),
              ),
            )
          yield* freeAgain(free, e)
        }),
      )

    /** After a failed delivery, the session is free again (read afresh), or a new agent. */
    const freeAgain = (free: SessionRecord, e: { readonly _tag: string }) =>
      Effect.gen(function* () {
        if (table.get(free.name) !== free) return
        table.set(free.name, { phase: "starting", task: undefined }, yield* Clock.currentTimeMillis)
        // /clear showed no effect: a new agent is a fresh context for sure (a pool session keeps nothing worth
        // a conversation once its task is filed), and a `/clear` stuck in its input box is gone.
        if (e._tag === "ContextNotCleared")
          yield* supervisor
            .launch(free.name, free.cwd, free.kind, undefined, true)
            .pipe(
              Effect.catchAll((e) =>
                Effect.logError(`session ${free.name}: relaunch failed: ${failureText(e)}`),
              ),
            )
      })

    const deliver = Effect.fn("Delivery.deliver")(function* (
      free: SessionRecord,
      task: PendingTask,
      attempt: number,
    ) {
      let screen: string
      // Cleared after its last turn, or a new agent: nothing to clear. Otherwise (adopted, say) clear it now.
      if (settings.pool.freshContext && free.contextFresh !== true) {
        const cleared = yield* clearContext(free.name)
        if (Option.isNone(cleared)) return yield* Effect.fail({ _tag: "ContextNotCleared" as const })
        screen = cleared.value
      } else screen = yield* tmux.capture(free.name)
      const committed = yield* locked(
        Effect.gen(function* () {
          // A failover or a death replaced this session meanwhile: the task goes back.
          if (table.get(free.name) !== free || free.phase !== "working") return false
          const now = yield* Clock.currentTimeMillis
          free.limitLinesBefore = limitLineCount(screen)
          free.contextFresh = false
          free.task = {
            id: task.id,
            attempt,
            dispatch: randomUUID(),
            startedAt: now,
            sentAt: now,
            deadlineAt: now + (task.frontmatter.timeout ?? settings.watchdog.staleAfterMs),
            timed: task.frontmatter.timeout !== undefined,
            sawBusy: false,
            doneLinesBefore: doneLineCount(screen),
          }
          // The attempt and who holds the task, in one durable write before the prompt goes out.
          yield* state.update((s) =>
            holding(free.name, free.task)({ ...s, attempts: { ...s.attempts, [task.id]: attempt } }),
          )
          yield* failpoint("dispatch:holder-committed")
          return true
        }),
      )
      if (!committed) return yield* Effect.fail({ _tag: "SessionReplaced" as const })
      yield* tmux
        .sendText(free.name, taskPrompt(task.id, taskLocation(queue.root, "active", task.id), task.body))
        .pipe(Effect.mapError((e) => ({ _tag: "Undelivered" as const, message: failureText(e) })))
      counters.dispatched++
      yield* Effect.logInfo(`task ${task.id} dispatched to ${free.name} (attempt ${attempt})`)
      yield* events.publish({
        type: "task",
        id: task.id,
        state: "active",
        session: free.name,
        account: free.account,
        attempt,
        queued_at: new Date(task.enqueuedAt).toISOString(),
      })
      yield* failpoint("dispatch:prompt-sent")
    })

    const resume = Effect.fn("Delivery.resume")(function* (r: SessionRecord) {
      const t = r.task
      const now = yield* Clock.currentTimeMillis
      if (t === undefined) {
        table.set(r.name, { phase: "ready" }, now)
        return yield* control.wake
      }
      const screen = yield* tmux.capture(r.name)
      r.limitLinesBefore = limitLineCount(screen)
      // A new prompt for the same dispatch: its prompt id comes with the UserPromptSubmit hook.
      r.task = {
        ...t,
        sentAt: now,
        sawBusy: false,
        doneLinesBefore: doneLineCount(screen),
        promptId: undefined,
      }
      table.set(r.name, { phase: "working" }, now)
      yield* state.update(holding(r.name, r.task))
      yield* tmux.sendText(r.name, continuePrompt(t.id))
      yield* Effect.logInfo(`session ${r.name} resumed on ${r.account}: told to continue task ${t.id}`)
    })

    return Delivery.of({
      deliver: (free, task, attempt) =>
        deliver(free, task, attempt).pipe(Effect.catchAll((e) => giveBack(free, task, attempt, e))),
      resume,
      clearAfterTurn: (r) =>
        Effect.gen(function* () {
          table.set(r.name, { phase: "clearing", contextFresh: false }, yield* Clock.currentTimeMillis)
          yield* FiberSet.run(clearings)(clearing(r))
        }),
    })
  }),
)
