import type { PgClient } from "@effect/sql-pg/PgClient"
import { Effect } from "effect"
import type { QueueNode } from "../services/QueueNodes.js"
import { orIO } from "./TaskQueuePgRows.js"

interface NodeRow {
  readonly name: string
  readonly pid: number
  readonly started_at: Date
  readonly age_ms: number
  readonly sessions: QueueNode["sessions"]
  readonly accounts: { readonly names?: ReadonlyArray<string>; readonly active?: string | null }
  readonly tasks: ReadonlyArray<string>
}

/** Every node that ever heartbeat on this queue, with the tasks it holds, freshest first. */
export const listNodes = (sql: PgClient) =>
  sql<NodeRow>`SELECT n.name, n.pid, n.started_at, n.sessions, n.accounts,
      (extract(epoch FROM now() - n.heartbeat_at) * 1000)::float8 AS age_ms,
      coalesce((SELECT jsonb_agg(t.id ORDER BY t.id) FROM tasks t WHERE t.state = 'active' AND t.holder = n.name),
        '[]'::jsonb) AS tasks
    FROM nodes n ORDER BY n.heartbeat_at DESC, n.name`.pipe(
    Effect.map((rows) =>
      rows.map(
        (r): QueueNode => ({
          name: r.name,
          pid: r.pid,
          startedAt: new Date(r.started_at).toISOString(),
          heartbeatAgeMs: Math.max(0, Math.round(r.age_ms)),
          sessions: r.sessions,
          accounts: r.accounts.names ?? [],
          activeAccount: r.accounts.active ?? null,
          tasks: r.tasks,
        }),
      ),
    ),
    orIO("list nodes"),
  )
