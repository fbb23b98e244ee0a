import { type FSWatcher, watch } from "node:fs"
import { type Duration, Effect, Queue, Schedule } from "effect"

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
 * Forever: `pass` run whenever something changes in `dir` (fs.watch), and every `every` as a safety net (a watch
 * can miss events, or fail). The wake-ups go through a one-slot sliding queue, so that a burst of files makes one
 * or two passes, and one fiber runs every pass: no two passes at once. A pass that returns a number of
 * milliseconds asks for another pass that much later (files it left for later: the watch may not fire again).
 */
export const watchFolder = <R>(
  dir: string,
  what: string,
  pass: Effect.Effect<number | undefined, never, R>,
  every: Duration.DurationInput,
) =>
  Effect.gen(function* () {
    const wake = yield* Queue.sliding<void>(1)
    const watcher = yield* Effect.acquireRelease(
      Effect.sync(() => startWatch(dir, () => void Queue.unsafeOffer(wake, undefined))),
      (w) => Effect.sync(() => w?.close()),
    )
    if (watcher === undefined) yield* Effect.logWarning(`${what}: cannot watch ${dir}; polling it`)
    yield* Effect.forkScoped(Effect.repeat(Queue.offer(wake, undefined), Schedule.spaced(every)))
    const again = (ms: number) => Effect.forkScoped(Effect.delay(Queue.offer(wake, undefined), ms))
    return yield* Effect.forever(
      Queue.take(wake).pipe(
        Effect.zipRight(pass),
        Effect.flatMap((later) => (typeof later === "number" ? again(later) : Effect.void)),
      ),
    )
  }).pipe(Effect.scoped)
