/** How calls to secutools are retried (RELIABILITY.md "Network"). All times in milliseconds. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number
  /** First backoff ceiling; doubles each retry. */
  readonly baseMs: number
  /** Largest backoff ceiling. */
  readonly capMs: number
  /** Largest wait a server's Retry-After can impose. */
  readonly retryAfterCapMs: number
  /** One try gives up after this long (a server that accepts and never answers). */
  readonly attemptTimeoutMs: number
  /** The whole call, retries included, gives up after this long. */
  readonly deadlineMs: number
}

export const defaultRetryPolicy: RetryPolicy = {
  attempts: 6,
  baseMs: 500,
  capMs: 30_000,
  retryAfterCapMs: 300_000,
  attemptTimeoutMs: 15_000,
  deadlineMs: 120_000,
}

/** Statuses worth another try: timeouts, rate limits and server errors. Other 4xx fail at once. */
export const isRetryableStatus = (status: number): boolean =>
  status === 408 || status === 429 || status >= 500

/** Full jitter: a uniform delay in [0, min(cap, base * 2^retry)). `random` is in [0, 1). */
export const backoffDelay = (policy: RetryPolicy, retry: number, random: number): number =>
  Math.floor(random * Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 52)))

/** Retry-After as milliseconds from `now`: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export const parseRetryAfter = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const text = header.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The wait before retry number `retry` (0-based): jittered backoff, with the server's Retry-After as a floor. */
export const retryDelay = (
  policy: RetryPolicy,
  retry: number,
  random: number,
  retryAfterMs: number | undefined,
): number => {
  const backoff = backoffDelay(policy, retry, random)
  return retryAfterMs === undefined
    ? backoff
    : Math.max(backoff, Math.min(retryAfterMs, policy.retryAfterCapMs))
}
