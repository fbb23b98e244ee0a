import { Schema } from "effect"

// What the daemon keeps in <state>/state.json across restarts (DESIGN.md "State"): plain data and its Schema.

/** A task a session holds: restored when the next daemon adopts the session (SIGTERM, crash). */
export const InFlight = Schema.Struct({
  task: Schema.String,
  attempt: Schema.Int,
  sent_at: Schema.Number,
  started_at: Schema.optional(Schema.Number),
  deadline_at: Schema.optional(Schema.Number),
  /** The deadline is the task's own `timeout:`. */
  timed: Schema.optional(Schema.Boolean),
  /** The dispatch this holding belongs to (fencing: a completion for another dispatch is ignored). */
  dispatch: Schema.optional(Schema.String),
  /** Resumed after a failover and not yet told to continue: the next daemon tells it (a crash in between). */
  resuming: Schema.optional(Schema.Boolean),
})
export type InFlight = typeof InFlight.Type

/** One session as a swap left it to be relaunched. */
export const SwapSession = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literal("pool", "dedicated"),
  cwd: Schema.String,
  /** The task a working pool session keeps through the swap (resumed, then told to continue). */
  task: Schema.optional(InFlight),
})

/** A swap in progress, written before any session is killed: the next start finishes it (roll forward). */
export const SwapJournal = Schema.Struct({
  from: Schema.NullOr(Schema.String),
  to: Schema.String,
  reason: Schema.String,
  reset_at: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  sessions: Schema.Array(SwapSession),
})
export type SwapJournal = typeof SwapJournal.Type

/**
 * How one session came back from a swap: its conversation resumed (id), started fresh (id; nothing to resume, e.g.
 * never prompted), or left at its shell (why). `verified`: its live status file appeared under the target home with
 * that id (null while the check runs or when the agent writes none).
 */
export const SwapSessionOutcome = Schema.Struct({
  name: Schema.String,
  how: Schema.Literal("resumed", "fresh", "shell"),
  id: Schema.NullOr(Schema.String),
  why: Schema.optional(Schema.String),
  verified: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => null }),
})
export type SwapSessionOutcome = typeof SwapSessionOutcome.Type

/** A finished (or refused) swap, for `ccl failover status` and /api/status. */
export const SwapRecord = Schema.Struct({
  from: Schema.NullOr(Schema.String),
  to: Schema.NullOr(Schema.String),
  reason: Schema.String,
  reset_at: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  finished_at: Schema.String,
  outcome: Schema.Literal("swapped", "refused", "waiting"),
  relaunched: Schema.Array(Schema.String),
  left_at_shell: Schema.Array(Schema.String),
  /** Per session: resumed, fresh or left at the shell, and whether its account was verified. */
  sessions: Schema.optional(Schema.Array(SwapSessionOutcome)),
  message: Schema.optional(Schema.String),
})
export type SwapRecord = typeof SwapRecord.Type

/** One failed attempt of a task (AttemptLog.ts), kept until the task is filed. */
export const AttemptEntry = Schema.Struct({
  n: Schema.Int,
  cause: Schema.String,
  session: Schema.optional(Schema.String),
  at: Schema.String,
  detail: Schema.optional(Schema.String),
})

/** What the daemon keeps across restarts: active account, attempts (fencing, retries), cooldowns, swaps. */
export const DaemonState = Schema.Struct({
  active_account: Schema.NullOr(Schema.String),
  attempts: Schema.Record({ key: Schema.String, value: Schema.Int }),
  /** Task id -> its failed attempts so far (the footer lists them). */
  attempt_log: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Array(AttemptEntry) }), {
    default: () => ({}),
  }),
  /** Task id -> epoch ms before which it is not dispatched again (backoff after a failed attempt). */
  retry_at: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.Number }), {
    default: () => ({}),
  }),
  /** Account name -> ISO time its usage limit resets. */
  cooldowns: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
  /** Session name -> the task it holds. */
  inflight: Schema.optionalWith(Schema.Record({ key: Schema.String, value: InFlight }), {
    default: () => ({}),
  }),
  swap: Schema.optionalWith(Schema.NullOr(SwapJournal), { default: () => null }),
  /** The last swaps, newest last (at most HISTORY_LIMIT). */
  history: Schema.optionalWith(Schema.Array(SwapRecord), { default: () => [] }),
  /** `ccl failover pause`: no new dispatch until `ccl failover resume`, across restarts. */
  dispatch_paused: Schema.optionalWith(Schema.Boolean, { default: () => false }),
})
export type DaemonState = typeof DaemonState.Type

export const HISTORY_LIMIT = 50

/** A real state file is a few KB (attempts are the bulk): anything this big is not one of ours. */
export const MAX_STATE_BYTES = 4 * 1024 * 1024

export const emptyDaemonState: DaemonState = {
  active_account: null,
  attempts: {},
  attempt_log: {},
  retry_at: {},
  cooldowns: {},
  inflight: {},
  swap: null,
  history: [],
  dispatch_paused: false,
}
/** state.json's text, decoded (JSON and shape). */
export const decodeDaemonState = Schema.decodeUnknownEither(Schema.parseJson(DaemonState))
