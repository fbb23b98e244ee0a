import { Effect, Either, Option, Schema } from "effect"
import { DelegationMarker, MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { MarkerCorrupt } from "../services/TaskQueue.js"
import { isReason, type QueueFolder } from "./TaskQueueFsFolder.js"

const decodeMarker = Schema.decodeUnknownEither(Schema.parseJson(DelegationMarker))

/** Delegation markers: `<id>.md.delegated` beside the task in pending/, the truth about a delegated task. */
export const makeMarkers = (q: QueueFolder) => {
  const { fs, io, markerPath } = q
  return {
    createMarker: (marker: DelegationMarker) =>
      Effect.gen(function* () {
        yield* q.ensureDirs
        const p = markerPath(marker.task_id)
        const created = yield* q.writeDurableRaw(p, JSON.stringify(marker, null, 2)).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
          Effect.mapError(io("write", p)),
        )
        if (!created) return false
        if (!(yield* q.existsPath(q.taskPath("pending", marker.task_id)))) {
          yield* q.removeIfExists(p) // the task was claimed locally (or removed) meanwhile
          return false
        }
        return true
      }),
    readMarker: (id: string) =>
      Effect.gen(function* () {
        const text = yield* q.readIfExists(markerPath(id))
        if (Option.isNone(text)) return Option.none()
        const decoded = decodeMarker(text.value)
        if (Either.isLeft(decoded)) {
          return yield* new MarkerCorrupt({
            id,
            path: markerPath(id),
            reason: decoded.left.message.split("\n")[0]!,
          })
        }
        return Option.some(decoded.right)
      }),
    updateMarker: (marker: DelegationMarker) =>
      Effect.gen(function* () {
        const staging = q.stagingPath("marker", marker.task_id)
        yield* q.writeDurable(staging, JSON.stringify(marker, null, 2))
        yield* fs
          .rename(staging, markerPath(marker.task_id))
          .pipe(Effect.mapError(io("rename", markerPath(marker.task_id))))
      }),
    removeMarker: (id: string) => q.removeIfExists(markerPath(id)),
    quarantineMarker: (id: string) => {
      const aside = `${markerPath(id)}.corrupt.${new Date().toISOString().replace(/[:.]/g, "-")}`
      return fs
        .rename(markerPath(id), aside)
        .pipe(Effect.as(aside), Effect.mapError(io("rename", markerPath(id))))
    },
    listMarkers: Effect.map(q.readDir("pending"), (names) =>
      names.filter((n) => n.endsWith(MARKER_SUFFIX)).map((n) => n.slice(0, -MARKER_SUFFIX.length)),
    ),
  }
}
