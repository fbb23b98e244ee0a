import type { SqlError } from "@effect/sql/SqlError"
import { Effect, Either, Schema } from "effect"
import type { AttemptEntry } from "../domain/AttemptLog.js"
import { renderAttempts } from "../domain/AttemptLog.js"
import { DelegationMarker } from "../domain/DelegationMarker.js"
import { postgresTaskPath } from "../domain/QueueUrl.js"
import { appendFooter, type ResultFooter } from "../domain/ResultFooter.js"
import { QueueIOError, type StoredTask, type TaskState, type TaskSummary } from "../services/TaskQueue.js"

// A task row as the Postgres queue reads it back, and what the TaskQueue contract shows of it.

export interface TaskRow {
  readonly id: string
  readonly state: TaskState
  readonly text: string
  readonly priority: number
  /** Enqueue time, epoch ms with microseconds (the queue order's tiebreak after priority). */
  readonly at_ms: number
  readonly updated_ms: number
  readonly holder: string | null
  readonly fence: string
  readonly attempts: number
  readonly attempt_log: ReadonlyArray<AttemptEntry>
  readonly delegation: unknown
  readonly footer: ResultFooter | null
  readonly not_before_ms: number | null
}

/** The columns every read selects (times as epoch ms, the fence as text: a bigint). */
export const TASK_COLUMNS = `id, state, text, priority,
  (extract(epoch FROM enqueued_at) * 1000)::float8 AS at_ms,
  (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms,
  holder, fence::text AS fence, attempts, attempt_log, delegation, footer,
  (extract(epoch FROM not_before) * 1000)::float8 AS not_before_ms`

/** The text `ccl queue show` prints: what the file queue would hold in done/ or failed/ (text + footer). */
export const rowText = (row: TaskRow): string =>
  row.footer === null ? row.text : appendFooter(row.text, row.footer)

export const toStored = (row: TaskRow): StoredTask => ({
  id: row.id,
  state: row.state,
  path: postgresTaskPath(row.id),
  text: rowText(row),
  delegated: row.state === "pending" && row.delegation !== null,
})

/** What a listing reads of each row: not its text, which a queue of 100,000 done tasks would send whole. */
export const SUMMARY_COLUMNS = `id, state, (extract(epoch FROM updated_at) * 1000)::float8 AS updated_ms, holder,
  delegation IS NOT NULL AS has_marker`

export type SummaryRow = Pick<TaskRow, "id" | "state" | "updated_ms" | "holder"> & {
  readonly has_marker: boolean
}

export const toSummary = (row: SummaryRow): TaskSummary => ({
  id: row.id,
  state: row.state,
  path: postgresTaskPath(row.id),
  modifiedAt: Math.floor(row.updated_ms),
  delegated: row.state === "pending" && row.has_marker,
  ...(row.state === "active" && row.holder !== null ? { node: row.holder } : {}),
})

/**
 * The footer a row is filed with: failed attempts the queue itself counted (a node lost with the task) come before
 * the ones the filing daemon kept.
 */
export const withRowAttempts = (footer: ResultFooter, log: ReadonlyArray<AttemptEntry>): ResultFooter => {
  if (log.length === 0) return footer
  const attempts = [renderAttempts(log), footer.attempts]
    .filter((a) => a !== undefined && a !== "")
    .join(", ")
  return { ...footer, attempts }
}

const decodeMarker = Schema.decodeUnknownEither(DelegationMarker)

/** A delegation column's marker, or why it cannot be read. */
export const markerOf = (value: unknown): Either.Either<DelegationMarker, string> =>
  Either.mapLeft(decodeMarker(value), (e) => e.message.split("\n")[0]!)

/** A database error as the queue's I/O error: the task stays where it was. */
export const io =
  (op: string, id = "") =>
  (e: SqlError): QueueIOError =>
    new QueueIOError({
      op,
      path: id === "" ? "postgres" : postgresTaskPath(id),
      message: String((e.cause as Error | undefined)?.message ?? e.message),
    })

/** Runs a database effect with its error as a QueueIOError. */
export const orIO =
  (op: string, id?: string) =>
  <A, R>(self: Effect.Effect<A, SqlError, R>): Effect.Effect<A, QueueIOError, R> =>
    Effect.mapError(self, io(op, id))
