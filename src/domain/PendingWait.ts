import { dependencyError, describeWaiting, type Readiness } from "./TaskDependencies.js"

// Why a pending task is not running yet, in words, for `ccl queue list` (and the API): its dependencies, its
// backoff after a failed attempt, every account spent until a reset.

export interface PendingWaitInput {
  /** The task's dependencies as the dispatcher would judge them now (undefined: it has none). */
  readonly readiness: Readiness | undefined
  /** Epoch ms before which it is not dispatched again (state.json retry_at). */
  readonly retryAt: number | undefined
  /** The last failed attempt's cause, if any. */
  readonly lastCause: string | undefined
  /** Epoch ms of the earliest reset when every account is spent (undefined: some account has room). */
  readonly allSpentUntil: number | undefined
  readonly now: number
}

/** One line, or undefined when nothing holds the task back (it runs when a session is free). */
export const pendingWait = (w: PendingWaitInput): string | undefined => {
  if (w.readiness !== undefined) {
    const error = dependencyError(w.readiness)
    if (error !== undefined) return `cannot run: ${error} (failed/ at the next dispatch)`
    const waiting = describeWaiting(w.readiness)
    if (waiting !== undefined) return `blocked: ${waiting}`
  }
  if (w.retryAt !== undefined && w.retryAt > w.now)
    return `retry after ${new Date(w.retryAt).toISOString()}${w.lastCause === undefined ? "" : ` (last attempt: ${w.lastCause})`}`
  if (w.allSpentUntil !== undefined && w.allSpentUntil > w.now)
    return `waiting for reset at ${new Date(w.allSpentUntil).toISOString()} (every account is spent)`
  return undefined
}

/**
 * The earliest reset when every configured account is cooling down at `now` (state.json cooldowns: name -> ISO),
 * else undefined. No accounts configured: the agent's own login, which ccl cannot see spent.
 */
export const allSpentUntil = (
  accounts: ReadonlyArray<string>,
  cooldowns: Readonly<Record<string, string>>,
  now: number,
): number | undefined => {
  if (accounts.length === 0) return undefined
  let earliest: number | undefined
  for (const name of accounts) {
    const until = Date.parse(cooldowns[name] ?? "")
    if (!(until > now)) return undefined
    earliest = Math.min(earliest ?? until, until)
  }
  return earliest
}
