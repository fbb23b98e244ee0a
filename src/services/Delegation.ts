import { Context, Data, type Effect } from "effect"
import type { PendingTask, QueueIOError } from "./TaskQueue.js"

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

export interface DelegationStatus {
  readonly counters: DelegationCounters
  readonly active: ReadonlyArray<ActiveJob>
}

export interface Submitted {
  readonly task_id: string
  readonly job_id: string
  readonly provider: string
}

/** What one reap cycle did. */
export interface ReapReport {
  readonly completed: ReadonlyArray<string>
  readonly failed: ReadonlyArray<string>
  readonly resubmitted: ReadonlyArray<string>
  readonly stillRunning: number
}

/** The task already has a marker, or is no longer in pending/ (claimed locally). */
export class AlreadyClaimed extends Data.TaggedError("AlreadyClaimed")<{ readonly id: string }> {}

/** The platform refused the task for good (4xx): it was moved to failed/ with this reason. */
export class SubmitRejected extends Data.TaggedError("SubmitRejected")<{
  readonly id: string
  readonly message: string
}> {}

/** The platform could not be reached in time: the marker keeps the key and the reaper submits again. */
export class SubmitDeferred extends Data.TaggedError("SubmitDeferred")<{
  readonly id: string
  readonly message: string
}> {}

/** Hands tasks to secutools and files their results (DESIGN.md "Delegation"). Markers are the source of truth. */
export class Delegation extends Context.Tag("ccl/Delegation")<
  Delegation,
  {
    /** Marker (O_EXCL, with the idempotency key) first, then the POST, then the marker again with the job id. */
    /** `fallback`: why a task that would run locally goes there (kept in the marker and the footer). */
    readonly submit: (
      task: PendingTask,
      provider: string,
      fallback?: string,
    ) => Effect.Effect<Submitted, AlreadyClaimed | SubmitRejected | SubmitDeferred | QueueIOError>
    /** One pass over every marker: resubmit those without a job id, file finished jobs into done/ or failed/. */
    readonly reapOnce: Effect.Effect<ReapReport, QueueIOError>
    /** reapOnce on a Schedule (delegation.poll), forever; a failing cycle is logged and the next one runs. */
    readonly runReaper: Effect.Effect<never>
    readonly status: Effect.Effect<DelegationStatus, QueueIOError>
  }
>() {}
