import { Effect, Option } from "effect"
import { type QueueNode, QueueNodes } from "../../services/QueueNodes.js"
import type { NodeView } from "./DaemonApiSchemas.js"

/** A node as GET /api/status shows it. */
export const nodeView = (n: QueueNode): NodeView => ({
  name: n.name,
  pid: n.pid,
  started_at: n.startedAt,
  heartbeat_age_ms: n.heartbeatAgeMs,
  sessions: n.sessions,
  accounts: n.accounts,
  active_account: n.activeAccount,
  tasks: n.tasks,
})

/** The status's `nodes`: every node of a shared queue; undefined (left out) with the file queue. */
export const nodesStatus = Effect.map(Effect.serviceOption(QueueNodes), (nodes) =>
  Option.match(nodes, {
    onNone: () => Effect.succeed(undefined),
    onSome: (q) => Effect.map(q.list, (all) => all.map(nodeView)),
  }),
)
