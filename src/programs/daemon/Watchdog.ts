import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { forgetting } from "../../domain/InFlightState.js"
import { sessionFailedFooter } from "../../domain/ResultFooter.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { type StaleTask, Watchdog } from "../../services/Watchdog.js"

/** The tasks in flight past their deadline at `now` (delegated tasks are the reaper's: they hold no session). */
export const staleTasks = (sessions: ReadonlyArray<SessionRecord>, now: number): ReadonlyArray<StaleTask> =>
  sessions.flatMap((s) =>
    s.task !== undefined && now > s.task.deadlineAt
      ? [
          {
            task: s.task.id,
            session: s.name,
            attempt: s.task.attempt,
            since: new Date(s.task.startedAt).toISOString(),
          },
        ]
      : [],
  )

/**
 * The watchdog loop (DESIGN.md "Watchdog"), every `watchdog.every`: each task that went past its deadline is
 * reported once per attempt (the log says which session holds it since when); `/watchdog/status` lists them all.
 */
export const runWatchdog = (
  sessions: () => ReadonlyArray<SessionRecord>,
  everyMs: number,
  report: (stale: StaleTask) => Effect.Effect<void> = (t) =>
    Effect.logWarning(
      `watchdog: task ${t.task} (attempt ${t.attempt}) on ${t.session} is past its deadline (sent ${t.since})`,
    ),
) =>
  Effect.gen(function* () {
    const reported = new Set<string>()
    const look = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const stale = staleTasks(sessions(), now)
      const keys = new Set(stale.map((t) => `${t.task}#${t.attempt}`))
      for (const key of reported) if (!keys.has(key)) reported.delete(key) // filed or given back: forget it
      for (const t of stale) {
        const key = `${t.task}#${t.attempt}`
        if (reported.has(key)) continue
        reported.add(key)
        yield* report(t)
      }
    })
    return yield* look.pipe(Effect.repeat(Schedule.spaced(Duration.millis(everyMs))), Effect.asVoid)
  })

/**
 * `watchdog.on_stale: fail`: the stale task's turn is interrupted (Esc), the task filed in failed/ as timed out,
 * and the pool session gets a new agent (a clean context for the next task). Only if the session still holds
 * that very dispatch.
 */
const failStale = (t: StaleTask, dispatch: string) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const tmux = yield* TmuxPool
    const state = yield* StateStore
    const supervisor = yield* SessionSupervisor
    const { table, locked, counters } = yield* DaemonSessions
    yield* locked(
      Effect.uninterruptible(
        Effect.gen(function* () {
          const r = table.get(t.session)
          if (r?.task?.dispatch !== dispatch) return
          yield* tmux.sendKey(r.name, "Escape").pipe(Effect.ignore)
          yield* queue
            .fail(
              t.task,
              sessionFailedFooter(
                { session: r.name, attempt: t.attempt, startedAt: t.since },
                `timed out: past its deadline (sent ${t.since}; watchdog.on_stale: fail)`,
                new Date(yield* Clock.currentTimeMillis),
              ),
            )
            .pipe(Effect.catchTag("TaskNotFound", () => Effect.void))
          counters.failed++
          r.task = undefined
          yield* state.update(forgetting(r.name, t.task))
          yield* Effect.logWarning(
            `watchdog: task ${t.task} on ${r.name} timed out: failed/, the session relaunched`,
          )
          if (r.kind === "pool") yield* supervisor.launch(r.name, r.cwd, r.kind, undefined, true)
        }),
      ),
    ).pipe(Effect.catchAll((e) => Effect.logError(`watchdog: failing task ${t.task}: ${e._tag}`)))
  })

export const WatchdogLive = Layer.effect(
  Watchdog,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const { table } = yield* DaemonSessions
    const context = yield* Effect.context<
      AppConfig | TaskQueue | TmuxPool | StateStore | SessionSupervisor | DaemonSessions
    >()
    const report = (t: StaleTask) =>
      Effect.gen(function* () {
        yield* Effect.logWarning(
          `watchdog: task ${t.task} (attempt ${t.attempt}) on ${t.session} is past its deadline (sent ${t.since})`,
        )
        const dispatch = table.get(t.session)?.task?.dispatch
        if (settings.watchdog.onStale === "fail" && dispatch !== undefined)
          yield* Effect.provide(failStale(t, dispatch), context)
      })
    return Watchdog.of({
      stale: Effect.map(Clock.currentTimeMillis, (now) => staleTasks(table.all(), now)),
      run: Effect.zipRight(
        runWatchdog(() => table.all(), settings.watchdog.everyMs, report),
        Effect.never,
      ),
    })
  }),
)
