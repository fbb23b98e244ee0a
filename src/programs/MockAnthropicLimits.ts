// Usage limits of the mock Anthropic API (MockAnthropic.ts): which tokens are limited until when, how
// `POST /_mock/limit` changes that, and what a limited request is answered.

import { Schema } from "effect"

export const CLAIMS = ["five_hour", "seven_day"] as const
export type Claim = (typeof CLAIMS)[number]

/** `POST /_mock/limit`: turn the usage limit on or off for every token containing `token`. */
export const LimitControl = Schema.Struct({
  on: Schema.Boolean,
  token: Schema.NonEmptyString,
  claim: Schema.optional(Schema.Literal(...CLAIMS)),
  reset_in_s: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative())),
})
export type LimitControl = typeof LimitControl.Type

export interface LimitedToken {
  readonly token: string
  readonly claim: Claim
  /** Epoch seconds; the limit lifts by itself then. */
  readonly reset: number
}

/** Token substring -> its usage limit. An entry past its reset is dropped when next looked at. */
export class TokenLimits {
  private readonly limits = new Map<string, { readonly claim: Claim; readonly resetAtMs: number }>()

  set(token: string, claim: Claim, resetAtMs: number): void {
    this.limits.set(token, { claim, resetAtMs })
  }

  clear(token: string): void {
    this.limits.delete(token)
  }

  live(nowMs: number): Array<LimitedToken> {
    for (const [token, l] of this.limits) if (l.resetAtMs <= nowMs) this.limits.delete(token)
    return [...this.limits].map(([token, l]) => ({
      token,
      claim: l.claim,
      reset: Math.floor(l.resetAtMs / 1000),
    }))
  }

  /** The limit of the first live substring of `token`, if any. */
  matching(
    token: string | null,
    nowMs: number,
  ): { readonly claim: Claim; readonly resetAtMs: number } | undefined {
    const hit = token === null ? undefined : this.live(nowMs).find((l) => token.includes(l.token))
    return hit === undefined ? undefined : this.limits.get(hit.token)
  }
}

const epochS = (ms: number) => Math.floor(ms / 1000)

/** The unified rate-limit headers of a subscription account out of its `claim` window until `resetAtMs`. */
export const limitHeaders = (claim: Claim, resetAtMs: number, nowMs: number): Record<string, string> => {
  const reset = String(epochS(resetAtMs))
  const weekly = claim === "seven_day"
  return {
    "anthropic-ratelimit-unified-status": "rejected",
    "anthropic-ratelimit-unified-reset": reset,
    "anthropic-ratelimit-unified-representative-claim": claim,
    "anthropic-ratelimit-unified-5h-status": weekly ? "allowed" : "rejected",
    "anthropic-ratelimit-unified-5h-reset": weekly ? String(epochS(nowMs + 2 * 3600_000)) : reset,
    "anthropic-ratelimit-unified-5h-utilization": weekly ? "0.2" : "1.0",
    "anthropic-ratelimit-unified-7d-status": weekly ? "rejected" : "allowed",
    "anthropic-ratelimit-unified-7d-reset": weekly ? reset : String(epochS(nowMs + 3 * 86400_000)),
    "anthropic-ratelimit-unified-7d-utilization": weekly ? "1.0" : "0.4",
    "anthropic-ratelimit-unified-overage-status": "rejected",
    // What a subscription without extra usage gets; without a reason Claude Code 2.1.332 shows the claim-less
    // "You've hit your limit" instead of "your 5-hour limit" / "your weekly limit".
    "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
    "retry-after": String(Math.max(0, Math.ceil((resetAtMs - nowMs) / 1000))),
  }
}

export const limitMessage = (claim: Claim) =>
  claim === "seven_day"
    ? "You have reached your weekly usage limit."
    : "You have reached your 5-hour usage limit."
