import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { failureText } from "../../domain/FailureText.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import type { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import type { StateStore } from "../../services/StateStore.js"
import type { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { type StaleTask, Watchdog } from "../../services/Watchdog.js"
import { makeTaskAttempts } from "./TaskAttempts.js"

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
 * A task past its own `timeout:` (or past watchdog.stale_after with `on_stale: fail`): its turn is interrupted
 * (Esc), the attempt fails (cause timeout: pending/ again after its backoff, or failed/ after its last attempt),
 * and the pool session gets a new agent (a clean context for the next task). Only if the session still holds
 * that very dispatch.
 */
const failStale = (t: StaleTask, dispatch: string, why: string) =>
  Effect.gen(function* () {
    const tmux = yield* TmuxPool
    const supervisor = yield* SessionSupervisor
    const attempts = yield* makeTaskAttempts
    const { table, locked } = yield* DaemonSessions
    yield* locked(
      Effect.uninterruptible(
        Effect.gen(function* () {
          const r = table.get(t.session)
          const held = r?.task
          if (r === undefined || held?.dispatch !== dispatch) return
          yield* tmux
            .sendKey(r.name, "Escape")
            .pipe(
              Effect.catchAll((e) =>
                Effect.logWarning(`watchdog: Esc to ${r.name} not sent: ${failureText(e)}`),
              ),
            )
          yield* attempts.failed(r, held, "timeout", `${why} (sent ${t.since})`)
          r.task = undefined
          if (r.kind === "pool") yield* supervisor.launch(r.name, r.cwd, r.kind, undefined, true)
        }),
      ),
    ).pipe(
      Effect.catchAll((e) =>
        Effect.logError(`watchdog: task ${t.task} timed out but could not be given back: ${failureText(e)}`),
      ),
    )
  })

export const WatchdogLive = Layer.effect(
  Watchdog,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const { table } = yield* DaemonSessions
    const context = yield* Effect.context<
      AppConfig | TaskQueue | TmuxPool | StateStore | SessionSupervisor | DaemonSessions | DaemonEvents
    >()
    const report = (t: StaleTask) =>
      Effect.gen(function* () {
        yield* Effect.logWarning(
          `watchdog: task ${t.task} (attempt ${t.attempt}) on ${t.session} is past its deadline (sent ${t.since})`,
        )
        const held = table.get(t.session)?.task
        if (held === undefined) return
        if (held.timed === true)
          yield* Effect.provide(failStale(t, held.dispatch, "past its timeout"), context)
        else if (settings.watchdog.onStale === "fail")
          yield* Effect.provide(
            failStale(t, held.dispatch, "past watchdog.stale_after (watchdog.on_stale: fail)"),
            context,
          )
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
