import { Clock, Duration, Effect, Either, Ref, Schedule } from "effect"
import { type AttemptEntry, renderAttempts } from "../domain/AttemptLog.js"
import { parseTask } from "../domain/Frontmatter.js"
import { sessionFailedFooter } from "../domain/ResultFooter.js"
import type { NodeReport } from "../services/QueueNodes.js"
import { orIO, TASK_COLUMNS, type TaskRow } from "./TaskQueuePgRows.js"
import { type PgQueueContext, TASKS_CHANNEL } from "./TaskQueuePgTasks.js"

// Leases: a claim lasts `leaseMs` past its node's last heartbeat. A node that stops (kill -9, a lost machine, a cut
// network) loses its claims at expiry; the first live node to see them gives each task back (or fails it past its
// max_attempts), and the dead node's late completion finds its fencing token stale.

/** A node not heard from for this long, holding no task, leaves the nodes table. */
export const NODE_FORGOTTEN_AFTER = "7 days"

/** Heartbeats several times per lease: a few missed beats (a slow database, a GC pause) cost nothing. */
export const heartbeatEvery = (leaseMs: number) => Duration.millis(Math.max(200, Math.floor(leaseMs / 4)))

export const makePgLeases = (ctx: PgQueueContext, maxAttempts: number, report: Ref.Ref<NodeReport>) => {
  const { sql, node } = ctx
  const lease = `${ctx.leaseMs} milliseconds`
  const startedAt = new Date().toISOString()

  /** A report as the nodes row's two JSON columns (TaskQueuePgNodes.ts reads them back). */
  const reportColumns = (r: NodeReport) => ({
    sessions: JSON.stringify(r.sessions),
    accounts: JSON.stringify({ names: r.accounts, active: r.activeAccount }),
  })

  /** Every claim this node holds, its lease pushed on; the node's row refreshed. */
  const renew = Effect.gen(function* () {
    const r = reportColumns(yield* Ref.get(report))
    yield* sql`UPDATE tasks SET lease_until = now() + ${lease}::interval WHERE state = 'active' AND holder = ${node}`
    yield* sql`INSERT INTO nodes (name, pid, started_at, heartbeat_at, sessions, accounts)
      VALUES (${node}, ${process.pid}, ${startedAt}, now(), ${r.sessions}::jsonb, ${r.accounts}::jsonb)
      ON CONFLICT (name) DO UPDATE SET pid = EXCLUDED.pid, started_at = EXCLUDED.started_at,
        heartbeat_at = EXCLUDED.heartbeat_at, sessions = EXCLUDED.sessions, accounts = EXCLUDED.accounts`
  })

  /**
   * A changed report written at once (the daemon reports every 2 s), so that the other nodes see a session take a
   * task without waiting for the next heartbeat; the heartbeat's time is left alone: this renews no lease.
   */
  const publish = (next: NodeReport) => {
    const r = reportColumns(next)
    return sql`UPDATE nodes SET sessions = ${r.sessions}::jsonb, accounts = ${r.accounts}::jsonb
      WHERE name = ${node}`.pipe(Effect.asVoid, orIO("report"))
  }

  /** One lapsed claim: back to pending with the attempt counted (cause node_lost), or failed past max_attempts. */
  const takeBack = (row: TaskRow, now: number) =>
    Effect.gen(function* () {
      const fm = Either.getOrUndefined(parseTask(row.text))?.frontmatter
      const max = fm?.max_attempts ?? maxAttempts
      const holder = row.holder ?? "unknown"
      const entry: AttemptEntry = {
        n: Math.max(row.attempts, row.attempt_log.length) + 1,
        cause: "node_lost",
        session: holder,
        at: new Date(now).toISOString(),
        detail: `node ${holder} stopped renewing its lease`,
      }
      const log = [...row.attempt_log, entry]
      if (entry.n >= max) {
        const footer = sessionFailedFooter(
          { session: holder, attempt: entry.n, attempts: renderAttempts(log) },
          "node_lost",
          `node_lost: ${entry.detail} (attempt ${entry.n} of ${max})`,
          new Date(now),
        )
        yield* sql`UPDATE tasks SET state = 'failed', footer = ${JSON.stringify(footer)}::jsonb, holder = NULL,
          lease_until = NULL, attempts = ${entry.n}, attempt_log = ${JSON.stringify(log)}::jsonb,
          updated_at = clock_timestamp() WHERE id = ${row.id}`
        return "failed" as const
      }
      yield* sql`UPDATE tasks SET state = 'pending', holder = NULL, lease_until = NULL, attempts = ${entry.n},
        attempt_log = ${JSON.stringify(log)}::jsonb, updated_at = clock_timestamp() WHERE id = ${row.id}`
      yield* sql`SELECT pg_notify(${TASKS_CHANNEL}, ${row.id})`
      return "pending" as const
    })

  /** Lapsed claims of any node, each taken back once (rows another node is taking back are skipped). */
  const takeBackLapsed = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const rows = yield* sql<TaskRow>`SELECT ${sql.literal(TASK_COLUMNS)} FROM tasks
      WHERE state = 'active' AND lease_until < now() ORDER BY lease_until LIMIT 100 FOR UPDATE SKIP LOCKED`
    const outcomes: Array<{ id: string; holder: string | null; to: "pending" | "failed" }> = []
    for (const row of rows) outcomes.push({ id: row.id, holder: row.holder, to: yield* takeBack(row, now) })
    return outcomes
  }).pipe(sql.withTransaction)

  /** Renewal first: this node's own claims are never found lapsed by its own sweep. */
  const heartbeat = Effect.gen(function* () {
    yield* renew
    const taken = yield* takeBackLapsed
    for (const t of taken)
      yield* Effect.logWarning(
        `task ${t.id}: node ${t.holder ?? "unknown"} lost its lease (node_lost): ${t.to === "failed" ? "failed, out of attempts" : "back to pending"}`,
      )
  }).pipe(orIO("heartbeat"))

  /** A restart under the same node name takes its still-held claims back, tokens included (never released). */
  const adopt = Effect.gen(function* () {
    yield* renew
    const rows = yield* sql<{ id: string; fence: string }>`SELECT id, fence::text AS fence FROM tasks
      WHERE state = 'active' AND holder = ${node}`
    for (const r of rows) ctx.held.set(r.id, r.fence)
    return rows.map((r) => r.id)
  }).pipe(orIO("adopt"))

  /**
   * Nodes silent for a week and holding nothing are forgotten (a retired machine, a renamed node): `ccl status`
   * would list them for ever. Run at a daemon's start, after the lapsed claims were taken back.
   */
  const forgetGone = sql<{ name: string }>`DELETE FROM nodes n
    WHERE n.heartbeat_at < now() - ${NODE_FORGOTTEN_AFTER}::interval AND n.name <> ${node}
      AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.state = 'active' AND t.holder = n.name)
    RETURNING n.name`.pipe(
    Effect.map((rows) => rows.map((r) => r.name)),
    orIO("forget gone nodes"),
  )

  /** The heartbeat until the scope closes; a failed beat is logged and the next one tries again. */
  const run = heartbeat.pipe(
    Effect.catchAll((e) => Effect.logWarning(`queue heartbeat of node ${node} failed: ${e.message}`)),
    Effect.repeat(Schedule.spaced(heartbeatEvery(ctx.leaseMs))),
    Effect.asVoid,
  )

  return { heartbeat, adopt, run, forgetGone, publish, takeBackLapsed: orIO("take back")(takeBackLapsed) }
}
