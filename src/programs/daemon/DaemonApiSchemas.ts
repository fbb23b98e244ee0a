import { Schema } from "effect"
import { SwapRecord } from "../../domain/DaemonState.js"
import { TaskStates } from "../../services/TaskQueue.js"

// The JSON bodies of the daemon's HTTP API (DESIGN.md "HTTP API"), shared by the daemon and the CLI.

const Count = Schema.NonNegativeInt

/** One session, as SessionTable.view() shows it. */
export const SessionView = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literal("pool", "dedicated"),
  account: Schema.NullOr(Schema.String),
  phase: Schema.Literal("starting", "ready", "working", "clearing", "resuming", "limited", "shell", "dead"),
  /** Last state read from any signal, and which signal said so. */
  state: Schema.String,
  decided_by: Schema.String,
  task: Schema.NullOr(Schema.String),
  attempt: Schema.NullOr(Count),
  conversation_id: Schema.NullOr(Schema.String),
  since: Schema.String,
  /** Why the session needs the operator (a start-up dialog, an agent that keeps exiting), else null. */
  needs_operator: Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null }),
})
export type SessionView = typeof SessionView.Type

export const QueueCounts = Schema.Struct({
  pending: Count,
  active: Count,
  done: Count,
  failed: Count,
  delegated: Count,
})

export const DispatchCounters = Schema.Struct({
  dispatched: Count,
  completed: Count,
  released: Count,
  failed: Count,
})

export const DelegationCounters = Schema.Struct({
  submitted: Count,
  completed: Count,
  failed: Count,
  active: Count,
  retries: Count,
  submit_errors: Count,
})

export const ActiveJob = Schema.Struct({
  task_id: Schema.String,
  job_id: Schema.NullOr(Schema.String),
  provider: Schema.String,
  submitted_at: Schema.String,
})

/** `{ enabled: false }` when no SECUTOOLS_API_KEY is set, else the counters and the jobs in flight. */
export const DelegationView = Schema.Union(
  Schema.Struct({ enabled: Schema.Literal(false) }),
  Schema.Struct({
    enabled: Schema.Literal(true),
    counters: DelegationCounters,
    active: Schema.Array(ActiveJob),
  }),
)
export type DelegationView = typeof DelegationView.Type

/** `GET /api/status`. */
/** The failover's state: active account, swap running, pause, cooldowns, the last swaps (newest last). */
export const FailoverView = Schema.Struct({
  active: Schema.NullOr(Schema.String),
  swapping: Schema.Boolean,
  paused_until: Schema.NullOr(Schema.String),
  cooldowns: Schema.Record({ key: Schema.String, value: Schema.String }),
  history: Schema.Array(SwapRecord),
  /** `ccl failover pause` holds new dispatches until `ccl failover resume`. */
  paused_by_operator: Schema.optional(Schema.Boolean),
})
export type FailoverView = typeof FailoverView.Type

/** One node of a shared (Postgres) queue: its last heartbeat, sessions, accounts and the tasks it holds. */
export const NodeView = Schema.Struct({
  name: Schema.String,
  pid: Schema.Int,
  started_at: Schema.String,
  heartbeat_age_ms: Schema.Number,
  sessions: Schema.Array(Schema.Struct({ name: Schema.String, task: Schema.NullOr(Schema.String) })),
  accounts: Schema.Array(Schema.String),
  active_account: Schema.NullOr(Schema.String),
  tasks: Schema.Array(Schema.String),
})
export type NodeView = typeof NodeView.Type

export const DaemonStatus = Schema.Struct({
  pid: Schema.Int,
  started_at: Schema.String,
  /** The active account; null when none is configured (the agent's default home). */
  account: Schema.NullOr(Schema.String),
  sessions: Schema.Array(SessionView),
  queue: QueueCounts,
  dispatch: DispatchCounters,
  delegation: DelegationView,
  /** Null when the daemon runs without failover (tests of the API alone). */
  failover: Schema.NullOr(FailoverView),
  /** Every daemon sharing the queue (Postgres); absent with the file queue. */
  nodes: Schema.optional(Schema.Array(NodeView)),
})
export type DaemonStatus = typeof DaemonStatus.Type

/** `GET /api/tasks`: one task file, as `ccl queue list --json` shows it (times ISO 8601, like every time here). */
export const TaskSummary = Schema.Struct({
  id: Schema.String,
  state: Schema.Literal(...TaskStates),
  path: Schema.String,
  modified_at: Schema.String,
  delegated: Schema.Boolean,
})

const stateMessage = `state must be one of ${TaskStates.join(", ")}`

/** `GET /api/tasks?state=`: no state lists every state. */
export const TasksQuery = Schema.Struct({
  state: Schema.optional(Schema.Literal(...TaskStates)),
}).annotations({ message: () => ({ message: stateMessage, override: true }) })

/** `GET /watchdog/status`. */
export const WatchdogStatus = Schema.Struct({
  /** Tasks past their deadline (their `timeout`, else watchdog.stale_after); since = first sent. */
  stale_tasks: Schema.Array(
    Schema.Struct({ task: Schema.String, session: Schema.String, since: Schema.String }),
  ),
  dead_sessions: Schema.Array(Schema.String),
  /** Null when delegation is off. */
  delegation: Schema.NullOr(DelegationCounters),
})
export type WatchdogStatus = typeof WatchdogStatus.Type

/** `POST /api/failover`: the account to move to; default the next one not cooling down. */
/** `{}` or `{ "to": NAME }`; any other key is refused (a typo such as `"To"` must not swap to the default). */
export const FailoverRequest = Schema.Struct({
  to: Schema.optional(Schema.String),
  force: Schema.optional(Schema.Boolean),
}).annotations({
  parseOptions: { onExcessProperty: "error" },
})

/** What a failover request did. */
export const FailoverAnswer = Schema.Struct({
  ok: Schema.Boolean,
  message: Schema.String,
  outcome: Schema.optional(Schema.Literal("swapped", "waiting", "ignored", "refused")),
  from: Schema.optional(Schema.NullOr(Schema.String)),
  to: Schema.optional(Schema.NullOr(Schema.String)),
  relaunched: Schema.optional(Schema.Array(Schema.String)),
  left_at_shell: Schema.optional(Schema.Array(Schema.String)),
})
export type FailoverAnswer = typeof FailoverAnswer.Type

/** `POST /api/tasks/{id}/cancel`: `{}` or `{ "reason": TEXT }`; any other key is refused. */
export const CancelRequest = Schema.Struct({
  reason: Schema.optional(Schema.String),
}).annotations({ parseOptions: { onExcessProperty: "error" } })

/** What a cancel did: the folder the task was in (a delegated task is pending) and its footer's status. */
export const CancelAnswer = Schema.Struct({
  id: Schema.String,
  from: Schema.Literal("pending", "active"),
  status: Schema.Literal("cancelled"),
  /** The session that was interrupted (an active task), the remote job left running (a delegated one). */
  session: Schema.optional(Schema.String),
  job_id: Schema.optional(Schema.NullOr(Schema.String)),
  message: Schema.String,
})
export type CancelAnswer = typeof CancelAnswer.Type

/** `POST /api/failover/clear`: `{}` clears every cooldown, `{ "account": NAME }` one. */
export const FailoverClearRequest = Schema.Struct({
  account: Schema.optional(Schema.String),
}).annotations({ parseOptions: { onExcessProperty: "error" } })

/** `POST /api/dispatch/pause` and `/resume` take `{}` (a POST carries JSON). */
export const EmptyRequest = Schema.Record({ key: Schema.String, value: Schema.Unknown }).pipe(
  Schema.filter((body) => Object.keys(body).length === 0 || "this request takes no fields: send {}"),
)

/** What the operator's failover commands left: the pause, the cooldowns, in one line. */
export const OperatorAnswer = Schema.Struct({
  message: Schema.String,
  paused_by_operator: Schema.Boolean,
  /** Dispatching paused because every account cools down: until then, else null. */
  paused_until: Schema.NullOr(Schema.String),
  cooldowns: Schema.Record({ key: Schema.String, value: Schema.String }),
  /** `clear`: the accounts whose cooldown was cleared. */
  cleared: Schema.optional(Schema.Array(Schema.String)),
})
export type OperatorAnswer = typeof OperatorAnswer.Type
