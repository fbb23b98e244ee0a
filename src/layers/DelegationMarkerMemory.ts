import { Effect, Option } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import type { MarkerCorrupt, TaskQueue } from "../services/TaskQueue.js"

interface Known {
  readonly marker: DelegationMarker
  /** The cycle in which it was last read from disk. */
  readonly cycle: number
}

/** The markers one cycle looks at: every id with its marker, and the unreadable ones apart. */
export interface MarkerSnapshot {
  readonly markers: ReadonlyArray<readonly [string, DelegationMarker]>
  readonly corrupt: ReadonlyArray<MarkerCorrupt>
}

/**
 * The reaper's memory of markers between cycles, as PendingIndex is the queue's memory of pending/: each cycle
 * lists pending/ and reads only the marker names it has not seen (thousands of running jobs cost one listing, not
 * thousands of reads). A marker can still be rewritten by another process (`ccl delegate submit` adds the job id),
 * so one read in an earlier cycle is read again before anything is done on its behalf (`current`).
 */
export const makeMarkerMemory = (queue: TaskQueue["Type"]) => {
  const known = new Map<string, Known>()
  let cycle = 0

  const refresh: Effect.Effect<MarkerSnapshot, never> = Effect.gen(function* () {
    cycle++
    const ids = yield* queue.listMarkers.pipe(
      Effect.tapError((e) => Effect.logError(`reap cycle: cannot ${e.op} ${e.path}: ${e.message}`)),
      Effect.orElseSucceed((): ReadonlyArray<string> => []),
    )
    const present = new Set(ids)
    for (const id of known.keys()) if (!present.has(id)) known.delete(id)
    const corrupt: Array<MarkerCorrupt> = []
    for (const id of ids) {
      if (known.has(id)) continue
      const read = yield* Effect.either(queue.readMarker(id))
      if (read._tag === "Left") {
        if (read.left._tag === "MarkerCorrupt") corrupt.push(read.left)
        else yield* Effect.logError(`delegated task ${id}: cannot read its marker: ${read.left.message}`)
      } else if (Option.isSome(read.right)) known.set(id, { marker: read.right.value, cycle })
    }
    const markers: Array<readonly [string, DelegationMarker]> = []
    for (const id of ids) {
      const k = known.get(id)
      if (k !== undefined) markers.push([id, k.marker])
    }
    return { markers, corrupt }
  })

  /**
   * The marker as it is on disk now (read again unless read this cycle); none once it is gone, or when it became
   * unreadable (forgotten, so that the next cycle reads it and quarantines it).
   */
  const current = (id: string) =>
    Effect.gen(function* () {
      const k = known.get(id)
      if (k !== undefined && k.cycle === cycle) return Option.some(k.marker)
      const read = yield* queue
        .readMarker(id)
        .pipe(Effect.catchTag("MarkerCorrupt", () => Effect.succeed(Option.none<DelegationMarker>())))
      if (Option.isSome(read)) known.set(id, { marker: read.value, cycle })
      else known.delete(id)
      return read
    })

  const forget = (id: string) => Effect.sync(() => known.delete(id))

  return { refresh, current, forget }
}
