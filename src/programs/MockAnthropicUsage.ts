// Usage of the mock Anthropic API's accounts (MockAnthropic.ts): a utilization per token and window, sent as the
// unified rate-limit headers on every answer to that token, as the real API does for a subscriber, so that the real
// Claude Code can show it (its statusline's `rate_limits`). `POST /_mock/usage` sets it.

import { Schema } from "effect"

const Utilization = Schema.Number.pipe(Schema.finite(), Schema.between(0, 1))

/** `POST /_mock/usage`: every token containing `token` is at these utilizations (0-1) until set again. */
export const UsageControl = Schema.Struct({
  token: Schema.NonEmptyString,
  five_hour: Schema.optional(Utilization),
  seven_day: Schema.optional(Utilization),
  /** When the windows reset, in seconds from now; default the server's --reset-in / --weekly-reset-in. */
  five_hour_reset_in_s: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative())),
  seven_day_reset_in_s: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative())),
})
export type UsageControl = typeof UsageControl.Type

export interface TokenUsageEntry {
  readonly token: string
  readonly five_hour: number
  readonly seven_day: number
  /** Epoch seconds. */
  readonly five_hour_reset: number
  readonly seven_day_reset: number
}

const epochS = (ms: number) => Math.floor(ms / 1000)

/** Token substring -> its usage; the newest setting of a substring replaces the older one. */
export class TokenUsage {
  private readonly usage = new Map<string, TokenUsageEntry>()

  set(control: UsageControl, nowMs: number, defaults: { fiveHourMs: number; sevenDayMs: number }): void {
    const old = this.usage.get(control.token)
    const at = (s: number | undefined, fallbackMs: number) =>
      epochS(nowMs + (s === undefined ? fallbackMs : s * 1000))
    this.usage.set(control.token, {
      token: control.token,
      five_hour: control.five_hour ?? old?.five_hour ?? 0,
      seven_day: control.seven_day ?? old?.seven_day ?? 0,
      five_hour_reset: at(control.five_hour_reset_in_s, defaults.fiveHourMs),
      seven_day_reset: at(control.seven_day_reset_in_s, defaults.sevenDayMs),
    })
  }

  all(): Array<TokenUsageEntry> {
    return [...this.usage.values()]
  }

  /** The usage of the first set substring of `token`, if any. */
  matching(token: string | null): TokenUsageEntry | undefined {
    return token === null ? undefined : this.all().find((u) => token.includes(u.token))
  }
}

/** The unified headers of an account still allowed, at `u`'s utilizations (what Claude Code 2.1.332 reads). */
export const usageHeaders = (u: TokenUsageEntry): Record<string, string> => {
  const weekly = u.seven_day > u.five_hour
  return {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-reset": String(weekly ? u.seven_day_reset : u.five_hour_reset),
    "anthropic-ratelimit-unified-representative-claim": weekly ? "seven_day" : "five_hour",
    "anthropic-ratelimit-unified-5h-status": "allowed",
    "anthropic-ratelimit-unified-5h-reset": String(u.five_hour_reset),
    "anthropic-ratelimit-unified-5h-utilization": String(u.five_hour),
    "anthropic-ratelimit-unified-7d-status": "allowed",
    "anthropic-ratelimit-unified-7d-reset": String(u.seven_day_reset),
    "anthropic-ratelimit-unified-7d-utilization": String(u.seven_day),
    "anthropic-ratelimit-unified-overage-status": "rejected",
    "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
  }
}
