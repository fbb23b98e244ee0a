import { Schema } from "effect"

/**
 * The fields of Claude Code's hook stdin that ccl reads (the rest is ignored). All optional: each event carries
 * its own (fixtures in test/fixtures/claude-code/hooks); a non-JSON stdin arrives as `{ raw }` and has none.
 */
export const HookFields = Schema.Struct({
  session_id: Schema.optional(Schema.String),
  transcript_path: Schema.optional(Schema.String),
  hook_event_name: Schema.optional(Schema.String),
  /** UserPromptSubmit and Stop (2.1): the same id for the prompt and the turn it started. */
  prompt_id: Schema.optional(Schema.String),
  /** UserPromptSubmit: the prompt's text. */
  prompt: Schema.optional(Schema.String),
  /** SessionStart: startup, clear, resume. */
  source: Schema.optional(Schema.String),
  /** StopFailure: rate_limit, ... */
  error: Schema.optional(Schema.String),
  notification_type: Schema.optional(Schema.String),
  last_assistant_message: Schema.optional(Schema.String),
  /** StatusLine (the statusline JSON): read leniently by StatusLineQuota.ts, so an odd shape drops no record. */
  rate_limits: Schema.optional(Schema.Unknown),
})
export type HookFields = typeof HookFields.Type

const IsoTime = Schema.String.pipe(
  Schema.filter((s) => !Number.isNaN(Date.parse(s)), { message: () => "received_at must be an ISO time" }),
)

/** A Claude Code hook event as ccl relays it: which session (CCL_SESSION), when, and Claude's own JSON. */
export const HookRecord = Schema.Struct({
  event: Schema.String,
  ccl_session: Schema.NullOr(Schema.String),
  received_at: IsoTime,
  payload: HookFields,
})
export type HookRecord = typeof HookRecord.Type

// In a file of its own so that the lite hook relay can use it without pulling in Schema.
export { hookPayload } from "./HookPayload.js"
