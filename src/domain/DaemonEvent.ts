// What happens in the daemon, as one stream (GET /api/events, notifications, metrics): plain data.

/** A task changed folder (or was given back), with what the footer says when it was filed. */
export interface TaskEvent {
  readonly type: "task"
  readonly id: string
  readonly state: "pending" | "active" | "done" | "failed"
  readonly session?: string | undefined
  readonly account?: string | undefined
  readonly attempt?: number | undefined
  /** Filed: its route and provider; failed: its cause; given back: why. */
  readonly route?: "local" | "delegated" | undefined
  readonly provider?: string | undefined
  readonly cause?: string | undefined
  readonly detail?: string | undefined
  /** Dispatched (active): ISO time the task entered pending/ (its file's mtime), for the dispatch latency. */
  readonly queued_at?: string | undefined
}

/** A session's phase or state changed. */
export interface SessionEvent {
  readonly type: "session"
  readonly name: string
  readonly phase: string
  readonly state: string
  readonly account?: string | undefined
  readonly task?: string | undefined
  /** Set when a dialog or a permission prompt holds it: what the operator must answer. */
  readonly needs_operator?: string | undefined
}

/**
 * A usage limit seen, a swap done or refused, every account spent, the reset; and the operator's levers:
 * cooldowns cleared (`account`: the names, comma-separated), dispatching paused or resumed.
 */
export interface FailoverEvent {
  readonly type: "failover"
  readonly kind:
    | "limit_hit"
    | "swapped"
    | "refused"
    | "all_exhausted"
    | "resumed_at_reset"
    | "cooldown_cleared"
    | "operator_paused"
    | "operator_resumed"
  readonly account?: string | undefined
  readonly session?: string | undefined
  readonly from?: string | null | undefined
  readonly to?: string | null | undefined
  readonly reason: string
  /** ISO time the limit resets (limit_hit, all_exhausted). */
  readonly reset_at?: string | undefined
}

/** An account's quota as its sessions last reported it. */
export interface QuotaEvent {
  readonly type: "quota"
  readonly account: string
  readonly window: "five_hour" | "seven_day"
  readonly used_percentage: number
  readonly resets_at?: string | undefined
}

/** A hook event came in (for metrics: ccl_hook_events_total{event}). */
export interface HookEvent {
  readonly type: "hook"
  readonly event: string
  readonly session: string
  /** Notification's `notification_type` (permission_prompt: the operator must answer; a notification). */
  readonly notification_type?: string | undefined
}

export type DaemonEvent = TaskEvent | SessionEvent | FailoverEvent | QuotaEvent | HookEvent

/** One event as the stream carries it: a rising id (SSE `id:`, Last-Event-ID) and when it happened. */
export interface EventEnvelope {
  readonly id: number
  readonly at: string
  readonly event: DaemonEvent
}
