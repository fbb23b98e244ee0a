// What a failed attempt of a task costs (DESIGN.md "Task file": failure causes), and how attempts are told.

/**
 * Why a task failed (footer `cause:`). A usage limit is never an attempt (the task waits for the failover or the
 * reset); session_dead, undelivered, timeout and agent_error are attempts with backoff; node_lost (a Postgres
 * queue's node stopped renewing its claim) is an attempt the queue counts; the rest are final.
 */
export const FailureCauses = [
  "session_dead",
  "undelivered",
  "timeout",
  "agent_error",
  "bad_task",
  "dependency_failed",
  "dependency_cycle",
  "cancelled",
  "delegation_failed",
  "node_lost",
] as const
export type FailureCause = (typeof FailureCauses)[number]

/** One failed attempt, as state.json keeps it until the task is filed. */
export interface AttemptEntry {
  readonly n: number
  readonly cause: string
  readonly session?: string | undefined
  /** ISO time it failed. */
  readonly at: string
  readonly detail?: string | undefined
}

/** The footer's `attempts:` value: `1 session_dead (ccl-pool-2, 2026-12-02T10:00:00.000Z), 2 timeout (...)`. */
export const renderAttempts = (entries: ReadonlyArray<AttemptEntry>): string =>
  entries
    .map((e) => {
      const where = [e.session, e.at].filter((x) => x !== undefined).join(", ")
      return `${e.n} ${e.cause} (${where}${e.detail === undefined ? "" : `: ${e.detail.replace(/[(),]/g, " ")}`})`
    })
    .join(", ")

/** Reads a footer's `attempts:` value back into causes (for `ccl queue show`, metrics). */
export const attemptCauses = (value: string | undefined): ReadonlyArray<string> =>
  value === undefined ? [] : [...value.matchAll(/(?:^|, )\d+ ([a-z_]+) \(/g)].map((m) => m[1]!)

/** The wait after failed attempt `n` (1-based): `baseMs` doubling each attempt, at most `capMs`. */
export const backoffAfter = (n: number, baseMs: number, capMs: number): number =>
  Math.min(capMs, baseMs * 2 ** Math.min(Math.max(0, n - 1), 30))
