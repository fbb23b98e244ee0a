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

/** Parses a hook's stdin: Claude Code's JSON object, or the raw text when it is not JSON (kept, never dropped). */
export const hookPayload = (stdin: string): unknown => {
  try {
    return JSON.parse(stdin)
  } catch {
    return { raw: stdin.slice(0, 64 * 1024) }
  }
}
