import { Effect, Either, Option } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import { postgresTaskPath } from "../domain/QueueUrl.js"
import { MarkerCorrupt } from "../services/TaskQueue.js"
import { markerOf, orIO } from "./TaskQueuePgRows.js"
import { type PgQueueContext, TASKS_CHANNEL } from "./TaskQueuePgTasks.js"

/**
 * Delegation markers as the task row's `delegation` column: the same JSON as `<id>.md.delegated`, the same
 * idempotency key (unique across the queue). Setting it on a pending row is the claim of a delegated task.
 */
export const makePgMarkers = ({ sql }: PgQueueContext) => {
  const json = (m: DelegationMarker) => JSON.stringify(m)
  return {
    createMarker: (marker: DelegationMarker) =>
      sql`UPDATE tasks SET delegation = ${json(marker)}::jsonb, updated_at = clock_timestamp()
        WHERE id = ${marker.task_id} AND state = 'pending' AND delegation IS NULL RETURNING id`.pipe(
        Effect.map((rows) => rows.length > 0),
        // The same idempotency key on another task: not this task's marker to create.
        Effect.catchIf(
          (e) => (e.cause as { code?: string } | undefined)?.code === "23505",
          () => Effect.succeed(false),
        ),
        orIO("create marker", marker.task_id),
      ),
    readMarker: (id: string) =>
      Effect.gen(function* () {
        const rows = yield* orIO(
          "read marker",
          id,
        )(
          sql<{
            delegation: unknown
          }>`SELECT delegation FROM tasks WHERE id = ${id} AND delegation IS NOT NULL`,
        )
        if (rows.length === 0) return Option.none<DelegationMarker>()
        const marker = markerOf(rows[0]!.delegation)
        if (Either.isLeft(marker))
          return yield* new MarkerCorrupt({
            id,
            path: `${postgresTaskPath(id)}#delegation`,
            reason: marker.left,
          })
        return Option.some(marker.right)
      }),
    updateMarker: (marker: DelegationMarker) =>
      sql`UPDATE tasks SET delegation = ${json(marker)}::jsonb, updated_at = clock_timestamp()
        WHERE id = ${marker.task_id}`.pipe(Effect.asVoid, orIO("update marker", marker.task_id)),
    /** A pending task whose marker goes is dispatchable again: announced like a new one. */
    removeMarker: (id: string) =>
      sql`UPDATE tasks SET delegation = NULL, updated_at = clock_timestamp()
        WHERE id = ${id} AND delegation IS NOT NULL RETURNING id, pg_notify(${TASKS_CHANNEL}, id)`.pipe(
        Effect.asVoid,
        orIO("remove marker", id),
      ),
    quarantineMarker: (id: string) =>
      sql`UPDATE tasks SET delegation_corrupt = delegation, delegation = NULL WHERE id = ${id}`.pipe(
        Effect.as(`${postgresTaskPath(id)}#delegation_corrupt`),
        orIO("quarantine marker", id),
      ),
    listMarkers: sql<{ id: string }>`SELECT id FROM tasks WHERE delegation IS NOT NULL ORDER BY id`.pipe(
      Effect.map((rows) => rows.map((r) => r.id)),
      orIO("list markers"),
    ),
  }
}
