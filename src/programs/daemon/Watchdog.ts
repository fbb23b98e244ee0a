import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
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

export const WatchdogLive = Layer.effect(
  Watchdog,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const { table } = yield* DaemonSessions
    return Watchdog.of({
      stale: Effect.map(Clock.currentTimeMillis, (now) => staleTasks(table.all(), now)),
      run: Effect.zipRight(
        runWatchdog(() => table.all(), settings.watchdog.everyMs),
        Effect.never,
      ),
    })
  }),
)
