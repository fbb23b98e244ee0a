// What Claude Code's statusline JSON says of an account's quota (`rate_limits.five_hour` / `seven_day`, each
// `{used_percentage, resets_at}` with resets_at in epoch seconds), and what a usage-limit hit says: pure.

export type QuotaWindow = "five_hour" | "seven_day"
export const QUOTA_WINDOWS: ReadonlyArray<QuotaWindow> = ["five_hour", "seven_day"]

export interface WindowReading {
  /** 0-100. */
  readonly used_percentage: number
  /** ISO time the window resets, when known. */
  readonly resets_at: string | null
}

export type QuotaReading = Partial<Record<QuotaWindow, WindowReading>>

const FIVE_HOURS_MS = 5 * 3600_000

/** Epoch seconds (Claude Code), epoch ms, or an ISO string, as an ISO time; null when it is none of these. */
const resetTime = (v: unknown): string | null => {
  if (typeof v === "number" && Number.isFinite(v) && v > 0) {
    // Anything before 2001-09 in milliseconds is a time in seconds.
    const ms = v < 1e12 ? v * 1000 : v
    return new Date(ms).toISOString()
  }
  if (typeof v === "string" && !Number.isNaN(Date.parse(v))) return new Date(Date.parse(v)).toISOString()
  return null
}

const windowOf = (v: unknown): WindowReading | undefined => {
  if (typeof v !== "object" || v === null) return undefined
  const w = v as { used_percentage?: unknown; resets_at?: unknown }
  const used = typeof w.used_percentage === "string" ? Number(w.used_percentage) : w.used_percentage
  if (typeof used !== "number" || !Number.isFinite(used)) return undefined
  return { used_percentage: Math.min(100, Math.max(0, used)), resets_at: resetTime(w.resets_at) }
}

/**
 * The windows the statusline's `rate_limits` reports (none for an API-key account, or before the first answer).
 * A window whose fields are missing or of the wrong type is left out, never guessed.
 */
export const quotaOfRateLimits = (rateLimits: unknown): QuotaReading => {
  if (typeof rateLimits !== "object" || rateLimits === null) return {}
  const r = rateLimits as Record<string, unknown>
  const out: { -readonly [K in QuotaWindow]?: WindowReading } = {}
  for (const w of QUOTA_WINDOWS) {
    const reading = windowOf(r[w])
    if (reading !== undefined) out[w] = reading
  }
  return out
}

/**
 * A usage-limit hit as a quota reading: the window that ran out at 100%. Which window: the one whose known reset
 * is that of the hit (within the minute the screen rounds to); else a reset more than five hours away is the
 * weekly one; else (or no reset known) the five-hour one.
 */
export const quotaOfLimitHit = (
  resetAt: Date | undefined,
  now: number,
  known: Partial<Record<QuotaWindow, { readonly resets_at: string | null } | null>> | undefined,
): QuotaReading => {
  const near = (w: QuotaWindow) => {
    const at = known?.[w]?.resets_at
    return (
      resetAt !== undefined &&
      typeof at === "string" &&
      Math.abs(Date.parse(at) - resetAt.getTime()) <= 90_000
    )
  }
  const window: QuotaWindow = near("seven_day")
    ? "seven_day"
    : near("five_hour")
      ? "five_hour"
      : resetAt !== undefined && resetAt.getTime() - now > FIVE_HOURS_MS
        ? "seven_day"
        : "five_hour"
  // A hit that shows no reset keeps the one the statusline last said.
  const resets_at = resetAt?.toISOString() ?? known?.[window]?.resets_at ?? null
  return { [window]: { used_percentage: 100, resets_at } }
}
