import { Schema } from "effect"

/** A secutools job's status (DESIGN.md "Secutools contract"). */
export const JobStatus = Schema.Literal("queued", "running", "completed", "failed", "cancelled")
export type JobStatus = typeof JobStatus.Type

export const isTerminal = (status: JobStatus): boolean =>
  status === "completed" || status === "failed" || status === "cancelled"

/** `GET /v1/jobs/{id}`. */
export const Job = Schema.Struct({
  job_id: Schema.String,
  status: JobStatus,
  provider: Schema.String,
  result: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
  cost_usd: Schema.optional(Schema.Number),
  created_at: Schema.String,
  finished_at: Schema.optional(Schema.String),
})
export type Job = typeof Job.Type

/** `POST /v1/jobs` answer. */
export const SubmitAccepted = Schema.Struct({ job_id: Schema.String, status: JobStatus })
export type SubmitAccepted = typeof SubmitAccepted.Type

/** What ccl submits for one task. */
export interface JobRequest {
  readonly provider: string
  readonly prompt: string
  readonly metadata: { readonly task_id: string; readonly complexity_hint?: string }
  /** Stable per task: stored in its marker before the first POST, reused on every retry and restart. */
  readonly idempotencyKey: string
}
