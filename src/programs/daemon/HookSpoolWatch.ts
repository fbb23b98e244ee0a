import { type FSWatcher, watch } from "node:fs"
import { type Duration, Effect, Queue, Schedule } from "effect"
import { spoolDirs } from "./HookSpoolDrain.js"

/** Watches `dir`; undefined when it cannot (the poll then does all the work). */
const startWatch = (dir: string, poke: () => void): FSWatcher | undefined => {
  try {
    const watcher = watch(dir, poke)
    // An unhandled "error" (the folder removed) would end the daemon: the poll carries on alone instead.
    watcher.on("error", () => watcher.close())
    return watcher
  } catch {
    return undefined
  }
}

/**
 * Forever: `drain` run whenever a file lands in the spool's new/ (fs.watch), and every `every` as a safety net
 * (a watch can miss events, or fail). The wake-ups go through a one-slot sliding queue, so that a burst of
 * hooks makes one or two passes, and one fiber runs every pass: no two passes at once.
 */
export const watchSpool = (state: string, drain: Effect.Effect<unknown>, every: Duration.DurationInput) =>
  Effect.gen(function* () {
    const wake = yield* Queue.sliding<void>(1)
    const dir = spoolDirs(state).fresh
    const watcher = yield* Effect.acquireRelease(
      Effect.sync(() => startWatch(dir, () => void Queue.unsafeOffer(wake, undefined))),
      (w) => Effect.sync(() => w?.close()),
    )
    if (watcher === undefined) yield* Effect.logWarning(`hook spool: cannot watch ${dir}; polling it`)
    yield* Effect.forkScoped(Effect.repeat(Queue.offer(wake, undefined), Schedule.spaced(every)))
    return yield* Effect.forever(Queue.take(wake).pipe(Effect.zipRight(drain)))
  }).pipe(Effect.scoped)
