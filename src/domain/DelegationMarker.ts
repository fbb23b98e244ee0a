import { Schema } from "effect"

/** `<id>.md.delegated` beside a pending task: the claim of a delegated task and the source of truth for its job. */
export const DelegationMarker = Schema.Struct({
  task_id: Schema.String,
  provider: Schema.String,
  idempotency_key: Schema.String,
  job_id: Schema.NullOr(Schema.String),
  submitted_at: Schema.String,
  state: Schema.Literal("delegated_to_secutools"),
  /** When the reaper gives up on the job (the task's timeout, else delegation.deadline). */
  deadline_at: Schema.optional(Schema.String),
  /** Sent to secutools though it would run locally: why (delegation.fallback_on_exhausted). */
  fallback: Schema.optional(Schema.String),
})
export type DelegationMarker = typeof DelegationMarker.Type

export const MARKER_SUFFIX = ".md.delegated"

/** Same claim, same job, same deadline: nothing another process changed that the reaper acts on. */
export const sameMarker = (a: DelegationMarker, b: DelegationMarker): boolean =>
  a.task_id === b.task_id &&
  a.idempotency_key === b.idempotency_key &&
  a.job_id === b.job_id &&
  a.provider === b.provider &&
  a.submitted_at === b.submitted_at &&
  a.deadline_at === b.deadline_at
