import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import { Context, Duration, Effect, Layer, Redacted, Ref, Stream } from "effect"
import type { ResultFooter } from "../domain/ResultFooter.js"
import { type NodeReport, NodeTaken, QueueNodes } from "../services/QueueNodes.js"
import { QueueIOError, TaskQueue } from "../services/TaskQueue.js"
import { makePgLeases, NODE_FORGOTTEN_AFTER } from "./TaskQueuePgLeases.js"
import { makePgMarkers } from "./TaskQueuePgMarkers.js"
import { listNodes } from "./TaskQueuePgNodes.js"
import { orIO } from "./TaskQueuePgRows.js"
import { migrate } from "./TaskQueuePgSchema.js"
import { makePgTasks, type PgQueueContext, TASKS_CHANNEL } from "./TaskQueuePgTasks.js"

export interface TaskQueuePgOptions {
  /** postgres://USER@HOST[:PORT]/DATABASE, never with its password. */
  readonly url: string
  readonly password?: Redacted.Redacted<string> | undefined
  /** The holder name of this process's claims. */
  readonly node: string
  readonly leaseMs: number
  /** pool.max_attempts: how many lost nodes a task survives when its file says nothing. */
  readonly maxAttempts: number
  /** A daemon: one per node name, heartbeats, adopts its claims at recover, lists and releases its own only. */
  readonly daemon?: boolean
}

/** The advisory lock of a node name, held by its daemon's own connection (freed by Postgres if the process dies). */
const NODE_LOCK_SQL = "SELECT pg_try_advisory_lock(hashtext('ccl-node:' || $1)) AS ok"

const holdNodeName = (sql: PgClient.PgClient, node: string) =>
  Effect.gen(function* () {
    const conn = yield* sql.reserve
    const rows = yield* conn.execute(NODE_LOCK_SQL, [node], undefined)
    if (rows[0]?.ok !== true) return yield* new NodeTaken({ node })
    yield* Effect.addFinalizer(() =>
      Effect.ignore(conn.execute("SELECT pg_advisory_unlock_all()", [], undefined)),
    )
  })

/** The task queue in Postgres (DESIGN.md "Several machines"), and its nodes. */
export const makeTaskQueuePg = (options: TaskQueuePgOptions) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* migrate(sql)
    const daemon = options.daemon === true
    const ctx: PgQueueContext = { sql, node: options.node, leaseMs: options.leaseMs, daemon, held: new Map() }
    const report = yield* Ref.make<NodeReport>({ sessions: [], accounts: [], activeAccount: null })
    const tasks = makePgTasks(ctx)
    const markers = makePgMarkers(ctx)
    const leases = makePgLeases(ctx, options.maxAttempts, report)
    if (daemon) yield* holdNodeName(sql, options.node)
    let told = false
    // A filing is one transaction: an interruption leaves the row as it was or filed, never half.
    const fail = (id: string, footer: ResultFooter) => tasks.finish("failed")(id, footer)
    const queue = TaskQueue.of({
      root: options.url,
      enqueue: tasks.enqueue,
      listPending: tasks.listPending,
      claim: tasks.claim,
      release: tasks.release,
      complete: tasks.finish("done"),
      fail,
      fileMany: (filings) =>
        Effect.forEach(filings, (f) =>
          Effect.either(tasks.finish(f.into, f.dropMarker === true)(f.id, f.footer)).pipe(
            // Filed by an earlier run: its marker still goes, as the file queue's does.
            Effect.tap(() =>
              f.dropMarker === true ? Effect.ignore(markers.removeMarker(f.id)) : Effect.void,
            ),
          ),
        ),
      ...markers,
      get: tasks.get,
      locate: tasks.locate,
      requeue: tasks.requeue,
      remove: tasks.remove,
      list: tasks.list,
      recent: tasks.recent,
      counts: tasks.counts,
      // A daemon's start: its claims of a previous run adopted (not released), lapsed claims of lost nodes taken back.
      recover: daemon
        ? Effect.gen(function* () {
            const adopted = yield* leases.adopt
            // Told once: the delegation reaper runs recover again at its start.
            if (adopted.length > 0 && !told)
              yield* Effect.logInfo(`node ${options.node} adopts its claims: ${adopted.join(", ")}`)
            told = true
            yield* leases.takeBackLapsed
            const forgotten = yield* leases.forgetGone
            if (forgotten.length > 0)
              yield* Effect.logInfo(
                `nodes silent for ${NODE_FORGOTTEN_AFTER} forgotten: ${forgotten.join(", ")}`,
              )
            return { finishedMoves: [], finishedEnqueues: [], droppedStaging: [] }
          })
        : Effect.succeed({ finishedMoves: [], finishedEnqueues: [], droppedStaging: [] }),
      follow: (onChange) =>
        sql.listen(TASKS_CHANNEL).pipe(
          Stream.runForEach(() => onChange),
          orIO("listen"),
        ),
    })
    if (daemon) yield* Effect.forkScoped(leases.run)
    const nodes = QueueNodes.of({
      self: options.node,
      report: (r) =>
        Effect.gen(function* () {
          const before = yield* Ref.getAndSet(report, r)
          if (daemon && JSON.stringify(before) !== JSON.stringify(r))
            yield* leases
              .publish(r)
              .pipe(
                Effect.catchAll((e) =>
                  Effect.logWarning(`node ${options.node}: report not written (${e.message})`),
                ),
              )
        }),
      list: listNodes(sql),
    })
    return Context.make(TaskQueue, queue).pipe(Context.add(QueueNodes, nodes))
  })

/** A database that cannot be reached or migrated: the queue's I/O error, naming the URL (it holds no password). */
const unreachable = (url: string) => (e: SqlError) =>
  new QueueIOError({
    op: "open",
    path: url,
    message: String((e.cause as Error | undefined)?.message ?? e.message),
  })

/** The Postgres queue, with its connection pool; QueueNodes comes with it. */
export const TaskQueuePg = (options: TaskQueuePgOptions) =>
  Layer.scopedContext(makeTaskQueuePg(options)).pipe(
    Layer.provide(
      PgClient.layer({
        url: Redacted.make(options.url),
        password: options.password,
        applicationName: `ccl ${options.node}`,
        connectTimeout: Duration.seconds(10),
        maxConnections: options.daemon === true ? 8 : 2,
      }),
    ),
    Layer.catchAll((e) => Layer.fail(e._tag === "SqlError" ? unreachable(options.url)(e) : e)),
  )
