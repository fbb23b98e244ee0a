// The JSON the page reads, as the daemon's API declares it (src/programs/daemon/DaemonApiSchemas.ts and
// DaemonApiAccountsSpec.ts). Written out here rather than imported: those modules pull in Effect and the
// daemon's services, which have no place in a browser bundle.

export type { DaemonEvent } from "../domain/DaemonEvent.js"

export interface SessionView {
  readonly name: string
  readonly kind: "pool" | "dedicated"
  readonly account: string | null
  readonly phase: string
  readonly state: string
  readonly decided_by: string
  readonly task: string | null
  readonly attempt: number | null
  readonly conversation_id: string | null
  readonly since: string
  readonly needs_operator?: string | null
}

export interface QueueCounts {
  readonly pending: number
  readonly active: number
  readonly done: number
  readonly failed: number
  readonly delegated: number
}

export interface SwapRecord {
  readonly from: string | null
  readonly to: string | null
  readonly reason: string
  readonly reset_at: string | null
  readonly started_at: string
  readonly finished_at: string
  readonly outcome: "swapped" | "refused" | "waiting"
  readonly relaunched: ReadonlyArray<string>
  readonly left_at_shell: ReadonlyArray<string>
  readonly message?: string
}

export interface FailoverView {
  readonly active: string | null
  readonly swapping: boolean
  readonly paused_until: string | null
  readonly cooldowns: Readonly<Record<string, string>>
  readonly history: ReadonlyArray<SwapRecord>
  readonly paused_by_operator?: boolean
}

export interface DelegationCounters {
  readonly submitted: number
  readonly completed: number
  readonly failed: number
  readonly active: number
  readonly retries: number
  readonly submit_errors: number
}

export interface ActiveJob {
  readonly task_id: string
  readonly job_id: string | null
  readonly provider: string
  readonly submitted_at: string
}

export type DelegationView =
  | { readonly enabled: false }
  | {
      readonly enabled: true
      readonly counters: DelegationCounters
      readonly active: ReadonlyArray<ActiveJob>
    }

export interface DaemonStatus {
  readonly pid: number
  readonly started_at: string
  readonly account: string | null
  readonly sessions: ReadonlyArray<SessionView>
  readonly queue: QueueCounts
  readonly delegation: DelegationView
  readonly failover: FailoverView | null
  /** Every daemon sharing a Postgres queue; absent with the file queue. */
  readonly nodes?: ReadonlyArray<NodeView>
}

/** One node of a shared queue (DaemonApiSchemas.ts NodeView). */
export interface NodeView {
  readonly name: string
  readonly pid: number
  readonly started_at: string
  readonly heartbeat_age_ms: number
  readonly sessions: ReadonlyArray<{ readonly name: string; readonly task: string | null }>
  readonly accounts: ReadonlyArray<string>
  readonly active_account: string | null
  readonly tasks: ReadonlyArray<string>
}

export interface WindowView {
  readonly used_percentage: number
  readonly resets_at: string | null
}

export interface AccountView {
  readonly name: string
  readonly home: string
  readonly active: boolean
  readonly cooldown_until: string | null
  readonly quota: {
    readonly five_hour: WindowView | null
    readonly seven_day: WindowView | null
    readonly seen_at: string
    readonly session: string | null
  } | null
}

/** `GET /api/queue`. */
export interface QueueView {
  readonly counts: QueueCounts
  readonly pending: ReadonlyArray<{
    readonly id: string
    readonly priority: number
    readonly waiting: string | null
    readonly title: string
    readonly modified_at: string
  }>
  readonly active: ReadonlyArray<{
    readonly id: string
    readonly session: string | null
    readonly attempt: number | null
    readonly since: string | null
    readonly title: string
    /** Held by another node of a shared queue. */
    readonly node?: string
  }>
  readonly recent: ReadonlyArray<{
    readonly id: string
    readonly state: "done" | "failed"
    readonly finished_at: string
    /** The footer's status: completed, failed, cancelled... */
    readonly status: string | null
    readonly route: string | null
    readonly provider: string | null
    readonly cost: number | null
    readonly error: string | null
    readonly cause: string | null
    readonly title: string
  }>
}

/** `GET /api/tasks/:id`. */
export interface TaskDetail {
  readonly id: string
  readonly state: string
  readonly delegated: boolean
  readonly text: string
  readonly result: Readonly<Record<string, unknown>> | null
}

/** `GET /api/sessions/:name/screen`. */
export interface ScreenView {
  readonly name: string
  readonly screen: string
  readonly captured_at: string
}

/** `POST /api/tasks`: the text and the frontmatter fields the form sets. */
export interface NewTask {
  text: string
  id?: string
  priority?: number
  preferred_ai?: string
  allow_delegation?: boolean
  complexity?: string
  needs_claude_code?: boolean
  depends_on?: Array<string>
  max_attempts?: number
  retry_backoff?: string
  timeout?: string
}
