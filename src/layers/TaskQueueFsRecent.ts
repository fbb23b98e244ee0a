import { Clock, Effect } from "effect"
import { newestFinished } from "../domain/FinishedOrder.js"
import type { TaskSummary } from "../services/TaskQueue.js"
import type { QueueFolder } from "./TaskQueueFsFolder.js"

// The file queue's recent results without a stat of every finished file per call: the dashboard asks on every
// refresh, and 20,000 stats take 0.2-0.9 s of the I/O threads the daemon files tasks with. The filing time of each
// name in done/ and failed/ is kept between calls; a call lists both folders (names only) and stats just the names
// it has not seen. A name that left and came back between two calls (retried, then filed again) would keep its old
// time: this process's own retries forget it, and a call after a pause longer than RESYNC_AFTER_MS (nobody
// looking, another process's retry unseen) starts afresh.

/** Past this since the last call, remembered times are dropped and every finished file is stat'ed again. */
export const RESYNC_AFTER_MS = 60_000

type Finished = "done" | "failed"

export const makeRecentListing = (
  q: QueueFolder,
  summaryOf: (state: Finished, name: string) => Effect.Effect<TaskSummary | undefined>,
) => {
  const known: Record<Finished, Map<string, TaskSummary>> = { done: new Map(), failed: new Map() }
  let syncedAt = Number.NEGATIVE_INFINITY
  const single = Effect.unsafeMakeSemaphore(1)

  const sync = (state: Finished) =>
    Effect.gen(function* () {
      const names = new Set(yield* q.readDir(state))
      const seen = known[state]
      for (const name of seen.keys()) if (!names.has(name)) seen.delete(name)
      const fresh = [...names].filter((name) => !seen.has(name))
      yield* Effect.forEach(
        fresh,
        (name) =>
          Effect.map(summaryOf(state, name), (row) => {
            if (row !== undefined) seen.set(name, row)
          }),
        { concurrency: 16, discard: true },
      )
    })

  /** The `limit` most recently filed of done/ and failed/, newest first. */
  const recent = (limit: number) =>
    single.withPermits(1)(
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (now - syncedAt > RESYNC_AFTER_MS) for (const m of Object.values(known)) m.clear()
        yield* sync("done")
        yield* sync("failed")
        syncedAt = now
        return newestFinished([...known.done.values(), ...known.failed.values()], limit)
      }),
    )

  /** A task this process moved out of failed/ (a retry): when it is filed again, its name is new. */
  const forget = (id: string) => {
    known.failed.delete(`${id}.md`)
  }

  return { recent, forget }
}
