import { Schema } from "effect"

/** A Claude Code hook event as ccl relays it: which session (CCL_SESSION) and Claude's own JSON. */
export const HookRecord = Schema.Struct({
  event: Schema.String,
  ccl_session: Schema.NullOr(Schema.String),
  received_at: Schema.String,
  /** What Claude Code wrote on the hook's stdin (session_id, transcript_path, cwd, hook_event_name, ...). */
  payload: Schema.Unknown,
})
export type HookRecord = typeof HookRecord.Type

// In a file of its own so that the lite hook relay can use it without pulling in Schema.
export { hookPayload } from "./HookPayload.js"
