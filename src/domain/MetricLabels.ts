import { FailureCauses } from "./AttemptLog.js"
import { HookEvents } from "./HookSettings.js"
import type { SessionRecord } from "./SessionTable.js"

// Label values of ccl's metrics come from small fixed sets: a free text (a reason, a hook name from a remote
// POST) would make a new series per value. Whatever is not in its set is "other".

/** Why the daemon moved its sessions to another account (ccl_failovers_total{reason}). */
export const FailoverReasons = ["limit", "operator", "reset", "quota", "other"] as const
export type FailoverReason = (typeof FailoverReasons)[number]

/**
 * The reason label of a swap, from the reason text the failover records: a usage limit hit (or an account found
 * cooling down at start), the operator (swap request, cleared cooldown), the end of a cooldown, a quota threshold.
 */
export const failoverReason = (text: string): FailoverReason => {
  if (/quota|used_percentage|swap_at_percent/i.test(text)) return "quota"
  if (/\busage limit reset\b/i.test(text)) return "reset"
  if (/\boperator\b/i.test(text)) return "operator"
  if (/\busage limit\b|cooling down at start/i.test(text)) return "limit"
  return "other"
}

/** The cause label of a failed task (ccl_tasks_failed_total{cause}): one of the footer's causes. */
export const failureCauseLabel = (cause: string | undefined): string =>
  (FailureCauses as ReadonlyArray<string>).includes(cause ?? "") ? cause! : "other"

/** The event label of a hook (ccl_hook_events_total{event}): one of the events `ccl hooks install` sets up. */
export const hookEventLabel = (event: string): string =>
  (HookEvents as ReadonlyArray<string>).includes(event) ? event : "other"

/** A session's phase (SessionTable.ts), every one shown in ccl_sessions{state} even at 0. */
export const SessionPhases = [
  "starting",
  "ready",
  "working",
  "clearing",
  "resuming",
  "limited",
  "shell",
  "dead",
] as const satisfies ReadonlyArray<SessionRecord["phase"]>
