// Postgres queues for tests: one process's worth of TaskQueuePg on a database, and the lease a SIGKILL leaves.
import * as PgClient from "@effect/sql-pg/PgClient"
import { Context, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import { TaskQueuePg, type TaskQueuePgOptions } from "../../src/layers/TaskQueuePg.js"
import { QueueNodes } from "../../src/services/QueueNodes.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"

/** One process's worth of queue on `url` as node `node`, built in the current scope. */
export const openPgQueue = (url: string, node: string, over: Partial<TaskQueuePgOptions> = {}) =>
  Effect.map(Layer.build(TaskQueuePg({ url, node, leaseMs: 60_000, maxAttempts: 3, ...over })), (ctx) => ({
    q: Context.get(ctx, TaskQueue),
    nodes: Context.get(ctx, QueueNodes),
  }))

/** Runs SQL on the database at `url` (its own short-lived pool). */
export const withSql = <A, E>(url: string, f: (sql: PgClient.PgClient) => Effect.Effect<A, E>) =>
  Effect.flatMap(PgClient.PgClient, f).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url) })))

/** What a node killed with SIGKILL leaves: its claim's lease run out. */
export const lapse = (url: string, id: string) =>
  withSql(url, (sql) => sql`UPDATE tasks SET lease_until = now() - interval '1 second' WHERE id = ${id}`)

/**
 * A lapsed claim's task once it is taken back (pending or failed). A recover skips a row another node's (or its
 * own) heartbeat is taking back at that moment: the state is read until that one commits.
 */
export const takenBack = (q: TaskQueue["Type"], id: string) =>
  q.locate(id).pipe(
    Effect.filterOrFail((s) => Option.isSome(s) && s.value !== "active"),
    Effect.retry(Schedule.spaced(Duration.millis(50))),
    Effect.map(Option.getOrThrow),
  )
