import { Clock, Effect } from "effect"
import type { AccountRef } from "../../domain/AccountChoice.js"
import { failureText } from "../../domain/FailureText.js"
import { fromInFlight, holding } from "../../domain/InFlightState.js"
import { limitLineCount } from "../../domain/ScreenState.js"
import { deliveryEvidence, doneLineCount } from "../../domain/ScreenTurns.js"
import type { SessionRecord, TaskInFlight } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"

/** A fresh record for a session ccl launched (or adopted), in `phase`. */
export const freshRecord = (
  fields: Pick<SessionRecord, "name" | "kind" | "cwd" | "account" | "phase" | "task" | "state" | "decidedBy">,
  now: number,
  extra: Partial<SessionRecord> = {},
): SessionRecord => ({
  conversationId: undefined,
  conversationFrom: undefined,
  owedStops: 0,
  filedPrompts: [],
  launchedAt: now,
  since: now,
  limitLinesBefore: 0,
  failedLaunches: 0,
  ...fields,
  ...extra,
})

/**
 * What a new daemon does with what the last one left: sessions that still run are adopted with the task they held
 * (a delivery a crash cut short finished or undone), and tasks in active/ that nobody holds go back to pending/.
 */
export const makeSessionAdoption = (account: () => AccountRef | undefined) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const queue = yield* TaskQueue
    const state = yield* StateStore
    const { table, delivering, counters } = yield* DaemonSessions

    /** Tasks in active/ no session holds and no delivery is typing (a stop between claim and paste, a give-back that failed). */
    const releaseOrphans = (active: Iterable<string>) =>
      Effect.gen(function* () {
        const held = new Set(table.all().flatMap((r) => (r.task === undefined ? [] : [r.task.id])))
        for (const id of active) {
          if (held.has(id) || delivering.has(id)) continue
          const released = yield* queue
            .release(id)
            .pipe(
              Effect.catchAll((e) =>
                Effect.as(
                  Effect.logError(
                    `task ${id} is in active/ with no holder; giving it back failed: ${failureText(e)}`,
                  ),
                  false,
                ),
              ),
            )
          if (!released) continue
          counters.released++
          yield* Effect.logWarning(`task ${id} was in active/ with no session holding it: back to pending/`)
        }
      })

    const adopt = (
      s: { name: string; cwd: string; kind: SessionRecord["kind"] },
      active: ReadonlySet<string>,
    ) =>
      Effect.gen(function* () {
        // A task the session held when the last daemon stopped is still its own: its turn may be running.
        const held = state.get().inflight[s.name]
        const screen = yield* tmux.capture(s.name)
        const task =
          held !== undefined && active.has(held.task)
            ? fromInFlight(held, settings.watchdog.staleAfterMs, doneLineCount(screen))
            : undefined
        const now = yield* Clock.currentTimeMillis
        table.upsert(
          freshRecord(
            {
              ...s,
              account: account()?.name,
              phase: task === undefined ? "starting" : held?.resuming === true ? "resuming" : "working",
              task,
              state: "adopted",
              decidedBy: "adopt",
            },
            now,
            // An adopted agent may show any old limit: what is on screen now is history.
            { launchedAt: 0, limitLinesBefore: limitLineCount(screen) },
          ),
        )
        if (task === undefined) yield* state.update(holding(s.name, undefined))
        yield* Effect.logInfo(`adopted session ${s.name}${task === undefined ? "" : ` (task ${task.id})`}`)
        if (task !== undefined && s.kind === "pool" && held?.resuming !== true)
          yield* finishDelivery(s.name, task, screen)
      })

    /**
     * The last daemon stopped between committing the holder and the Enter (a crash): the prompt waiting in the
     * input box is submitted now, once; one that never reached the cleared conversation goes back to pending/
     * (not an attempt). Anything else on screen is the task's turn.
     */
    const finishDelivery = (name: string, task: TaskInFlight, screen: string) =>
      Effect.gen(function* () {
        const evidence = deliveryEvidence(screen)
        if (evidence === "in-input") {
          yield* Effect.logWarning(
            `session ${name}: the prompt of task ${task.id} was pasted, not submitted: Enter`,
          )
          return yield* tmux.sendKey(name, "Enter")
        }
        if (evidence !== "absent" || !settings.pool.freshContext) return
        yield* Effect.logWarning(
          `session ${name}: the prompt of task ${task.id} never reached the agent: back to pending/`,
        )
        yield* queue.release(task.id)
        yield* state.update((st) =>
          holding(name, undefined)({ ...st, attempts: { ...st.attempts, [task.id]: task.attempt - 1 } }),
        )
        table.set(name, { phase: "ready", task: undefined }, yield* Clock.currentTimeMillis)
        counters.released++
      })

    return { adopt, releaseOrphans }
  })
