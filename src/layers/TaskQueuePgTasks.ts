import type { PgClient } from "@effect/sql-pg/PgClient"
import { Effect, Either, Option } from "effect"
import { parseTask } from "../domain/Frontmatter.js"
import { comparePending } from "../domain/PendingOrder.js"
import { postgresTaskPath } from "../domain/QueueUrl.js"
import { footerAsHistory, type ResultFooter, rejectedFooter } from "../domain/ResultFooter.js"
import { taskIdProblem } from "../domain/TaskId.js"
import {
  type FailedAttempt,
  InvalidTask,
  type PendingTask,
  QueueIOError,
  TaskElsewhere,
  TaskExists,
  TaskNotFound,
  type TaskState,
} from "../services/TaskQueue.js"
import {
  io,
  orIO,
  rowText,
  SUMMARY_COLUMNS,
  type SummaryRow,
  TASK_COLUMNS,
  type TaskRow,
  toStored,
  toSummary,
  withRowAttempts,
} from "./TaskQueuePgRows.js"

/** What every part of the Postgres queue shares. */
export interface PgQueueContext {
  readonly sql: PgClient
  /** This process's node name: the holder of its claims. */
  readonly node: string
  readonly leaseMs: number
  /** A daemon: it renews leases, and `list("active")` / `release` are about its own claims only. */
  readonly daemon: boolean
  /** The fencing token of each claim this process holds: a completion must bring it. */
  readonly held: Map<string, string>
}

/** The channel a new or returned pending task is announced on (payload: its id). */
export const TASKS_CHANNEL = "ccl_tasks"

const cols = (ctx: PgQueueContext) => ctx.sql.literal(TASK_COLUMNS)

/** Tasks: the rows' states, moved by conditional updates (a lost race changes no row). */
export const makePgTasks = (ctx: PgQueueContext) => {
  const { sql, node } = ctx
  const lease = `${ctx.leaseMs} milliseconds`

  const getRow = (id: string) =>
    Effect.map(sql<TaskRow>`SELECT ${cols(ctx)} FROM tasks WHERE id = ${id}`, (rows) =>
      Option.fromNullable(rows[0]),
    )

  const enqueue = (id: string, text: string) =>
    Effect.gen(function* () {
      const bad = taskIdProblem(id)
      if (bad !== undefined) return yield* new InvalidTask({ id, reason: bad })
      const parsed = parseTask(text)
      if (Either.isLeft(parsed)) return yield* new InvalidTask({ id, reason: parsed.left.reason })
      const fm = parsed.right.frontmatter
      const inserted = yield* sql`WITH ins AS (
          INSERT INTO tasks (id, state, text, priority, depends_on)
          VALUES (${id}, 'pending', ${text}, ${fm.priority ?? 0}, ${JSON.stringify(fm.depends_on ?? [])}::jsonb)
          ON CONFLICT (id) DO NOTHING RETURNING id)
        SELECT id, pg_notify(${TASKS_CHANNEL}, id) FROM ins`.pipe(orIO("insert", id))
      if (inserted.length > 0) return
      const existing = yield* orIO("read", id)(getRow(id))
      if (Option.isSome(existing)) return yield* new TaskExists({ id, state: existing.value.state })
      // Removed between the insert and the read: rare, and the caller can simply try again.
      return yield* new QueueIOError({
        op: "insert",
        path: postgresTaskPath(id),
        message: "raced with a removal",
      })
    })

  /** A bad row (written by hand, or by an older ccl) goes to failed with the reason, like a bad file. */
  const listPending = Effect.gen(function* () {
    const rows = yield* sql<TaskRow>`SELECT ${cols(ctx)} FROM tasks
      WHERE state = 'pending' AND delegation IS NULL ORDER BY priority DESC, enqueued_at, id`
    const out: Array<PendingTask> = []
    for (const row of rows) {
      const parsed = parseTask(row.text)
      if (Either.isLeft(parsed)) {
        const footer = rejectedFooter(parsed.left.reason, new Date())
        yield* sql`UPDATE tasks SET state = 'failed', footer = ${JSON.stringify(footer)}::jsonb,
          updated_at = clock_timestamp() WHERE id = ${row.id} AND state = 'pending'`
        continue
      }
      const { frontmatter, body } = parsed.right
      out.push({
        id: row.id,
        priority: row.priority,
        enqueuedAt: row.at_ms,
        frontmatter,
        body,
        ...(row.attempts > 0 ? { attempts: row.attempts } : {}),
        ...(row.not_before_ms === null ? {} : { retryAt: row.not_before_ms }),
      })
    }
    return out.sort(comparePending)
  }).pipe(orIO("list pending"))

  /** A row locked by another claimer is skipped, not waited for: that claimer wins it. */
  const claim = (id: string) =>
    sql<{ fence: string }>`WITH c AS (
        SELECT id FROM tasks WHERE id = ${id} AND state = 'pending' AND delegation IS NULL
        FOR UPDATE SKIP LOCKED)
      UPDATE tasks t SET state = 'active', holder = ${node}, fence = nextval('ccl_fence_seq'),
        lease_until = now() + ${lease}::interval, updated_at = clock_timestamp()
      FROM c WHERE t.id = c.id RETURNING t.fence::text AS fence`.pipe(
      Effect.map((rows) => {
        if (rows.length === 0) return false
        ctx.held.set(id, rows[0]!.fence)
        return true
      }),
      orIO("claim", id),
    )

  /** A daemon gives back only its own claim, with the token it holds; a failed attempt stays on the row. */
  const release = (id: string, failed?: FailedAttempt) => {
    const fence = ctx.held.get(id)
    const mine = ctx.daemon
      ? sql`AND holder = ${node} ${fence === undefined ? sql`` : sql`AND fence = ${fence}::bigint`}`
      : sql``
    const attempt =
      failed === undefined
        ? sql``
        : sql`, attempts = greatest(attempts, ${failed.attempt}),
            attempt_log = (SELECT coalesce(jsonb_agg(e ORDER BY (e->>'n')::int, e->>'at'), '[]'::jsonb)
              FROM (SELECT DISTINCT e FROM jsonb_array_elements(attempt_log || ${JSON.stringify(failed.log)}::jsonb) e) d),
            not_before = to_timestamp(${failed.retryAt / 1000})`
    return sql`UPDATE tasks SET state = 'pending', holder = NULL, lease_until = NULL,
      updated_at = clock_timestamp() ${attempt}
      WHERE id = ${id} AND state = 'active' ${mine} RETURNING id, pg_notify(${TASKS_CHANNEL}, id)`.pipe(
      Effect.map((rows) => {
        ctx.held.delete(id)
        return rows.length > 0
      }),
      orIO("release", id),
    )
  }

  /**
   * Files a task from active (with this process's token, when it claimed it) or pending. A claim of this process that
   * is no longer the row's (its lease lapsed, another node took the task) is stale: nothing is filed.
   */
  const finish =
    (into: "done" | "failed", dropMarker = false) =>
    (id: string, footer: ResultFooter) =>
      Effect.gen(function* () {
        const fence = ctx.held.get(id)
        const from =
          fence !== undefined
            ? sql`state = 'active' AND fence = ${fence}::bigint`
            : ctx.daemon
              ? sql`(state = 'pending' OR (state = 'active' AND holder = ${node}))`
              : sql`state IN ('pending', 'active')`
        const rows =
          yield* sql<TaskRow>`SELECT ${cols(ctx)} FROM tasks WHERE id = ${id} AND ${from} FOR UPDATE`
        ctx.held.delete(id)
        if (rows.length === 0) {
          const where =
            fence === undefined ? "active or pending" : `active with fencing token ${fence} (stale claim)`
          return yield* new TaskNotFound({ id, where })
        }
        const filed = withRowAttempts(footer, rows[0]!.attempt_log)
        yield* sql`UPDATE tasks SET state = ${into}, footer = ${JSON.stringify(filed)}::jsonb, holder = NULL,
          lease_until = NULL, updated_at = clock_timestamp() ${dropMarker ? sql`, delegation = NULL` : sql``}
          WHERE id = ${id}`
        return postgresTaskPath(id)
      }).pipe(
        sql.withTransaction,
        Effect.catchTag("SqlError", (e) => Effect.fail(io("file", id)(e))),
      )

  const requeue = (id: string) =>
    Effect.gen(function* () {
      const rows = yield* sql<TaskRow>`SELECT ${cols(ctx)} FROM tasks WHERE id = ${id} FOR UPDATE`
      const row = rows[0]
      if (row === undefined) return yield* new TaskNotFound({ id, where: "the queue" })
      if (row.state !== "failed") return yield* new TaskElsewhere({ id, state: row.state })
      const text = rowText(row)
      yield* sql`UPDATE tasks SET state = 'pending', text = ${footerAsHistory(text) ?? text}, footer = NULL,
        attempts = 0, attempt_log = '[]', not_before = NULL, enqueued_at = clock_timestamp(), updated_at = clock_timestamp()
        WHERE id = ${id}`
      yield* sql`SELECT pg_notify(${TASKS_CHANNEL}, ${id})`
      return postgresTaskPath(id)
    }).pipe(
      sql.withTransaction,
      Effect.catchTag("SqlError", (e) => Effect.fail(io("requeue", id)(e))),
    )

  const remove = (id: string) =>
    Effect.gen(function* () {
      const rows = yield* sql<{ state: "done" | "failed" }>`DELETE FROM tasks
        WHERE id = ${id} AND state IN ('done', 'failed') RETURNING state`
      if (rows.length > 0) return rows[0]!.state
      const found = yield* getRow(id)
      return Option.isNone(found)
        ? yield* new TaskNotFound({ id, where: "the queue" })
        : yield* new TaskElsewhere({ id, state: found.value.state })
    }).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(io("remove", id)(e))))

  const list = (state: TaskState) =>
    sql<SummaryRow>`SELECT ${sql.literal(SUMMARY_COLUMNS)} FROM tasks WHERE state = ${state}
      ${ctx.daemon && state === "active" ? sql`AND holder = ${node}` : sql``} ORDER BY enqueued_at, id`.pipe(
      Effect.map((rows) => rows.map(toSummary)),
      orIO("list"),
    )

  const recent = (limit: number) =>
    sql<SummaryRow>`SELECT ${sql.literal(SUMMARY_COLUMNS)} FROM tasks WHERE state IN ('done', 'failed')
      ORDER BY updated_at DESC, id LIMIT ${Math.max(0, limit)}`.pipe(
      Effect.map((rows) => rows.map(toSummary)),
      orIO("list recent"),
    )

  const counts = sql<{ state: TaskState; n: number; delegated: number }>`SELECT state, count(*)::int AS n,
      count(delegation)::int AS delegated FROM tasks GROUP BY state`.pipe(
    Effect.map((rows) => {
      const n = (s: TaskState) => rows.find((r) => r.state === s)?.n ?? 0
      const delegated = rows.reduce((sum, r) => sum + r.delegated, 0)
      return { pending: n("pending"), active: n("active"), done: n("done"), failed: n("failed"), delegated }
    }),
    orIO("count"),
  )

  return {
    enqueue,
    listPending,
    claim,
    release,
    finish,
    requeue,
    remove,
    list,
    recent,
    counts,
    get: (id: string) => getRow(id).pipe(Effect.map(Option.map(toStored)), orIO("read", id)),
    locate: (id: string) => getRow(id).pipe(Effect.map(Option.map((r) => r.state)), orIO("read", id)),
  }
}
