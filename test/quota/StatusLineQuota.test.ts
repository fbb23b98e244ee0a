// The statusline JSON's rate_limits as Claude Code 2.1.332 passes them (fixtures recorded from the real binary
// offline against `ccl mock-anthropic` with a usage set), and what a usage-limit hit says of a window.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { quotaOfLimitHit, quotaOfRateLimits } from "../../src/domain/StatusLineQuota.js"

const fixture = (name: string) =>
  JSON.parse(
    readFileSync(path.resolve(__dirname, "../fixtures/claude-code/statusline", `${name}.json`), "utf8"),
  ) as { rate_limits?: unknown }

describe("quotaOfRateLimits", () => {
  it("reads both windows of a real statusline, resets from epoch seconds to ISO", () => {
    const json = fixture("after-turn-rate-limits")
    expect(quotaOfRateLimits(json.rate_limits)).toEqual({
      five_hour: { used_percentage: 42, resets_at: new Date(1796233729 * 1000).toISOString() },
      seven_day: { used_percentage: 10, resets_at: new Date(1796485729 * 1000).toISOString() },
    })
  })

  it("reads nothing from a statusline without rate_limits (before the first answer, or an API key)", () => {
    const json = fixture("startup-no-rate-limits")
    expect(json.rate_limits).toBeUndefined()
    expect(quotaOfRateLimits(json.rate_limits)).toEqual({})
  })

  it("keeps fractions, clamps to 0-100, leaves out a window of the wrong shape, and a missing reset is null", () => {
    expect(
      quotaOfRateLimits({
        five_hour: { used_percentage: 87.6 },
        seven_day: { used_percentage: "lots", resets_at: 1 },
      }),
    ).toEqual({ five_hour: { used_percentage: 87.6, resets_at: null } })
    expect(
      quotaOfRateLimits({ seven_day: { used_percentage: 140, resets_at: "2030-01-01T00:00:00Z" } }),
    ).toEqual({
      seven_day: { used_percentage: 100, resets_at: "2030-01-01T00:00:00.000Z" },
    })
    expect(quotaOfRateLimits(null)).toEqual({})
  })
})

describe("quotaOfLimitHit", () => {
  const now = Date.parse("2030-01-01T12:00:00Z")
  it("a reset within five hours is the five-hour window, later the weekly one, none the five-hour one", () => {
    const soon = new Date(now + 2 * 3600_000)
    expect(quotaOfLimitHit(soon, now, undefined)).toEqual({
      five_hour: { used_percentage: 100, resets_at: soon.toISOString() },
    })
    const days = new Date(now + 2 * 86400_000)
    expect(quotaOfLimitHit(days, now, undefined)).toEqual({
      seven_day: { used_percentage: 100, resets_at: days.toISOString() },
    })
    expect(quotaOfLimitHit(undefined, now, undefined)).toEqual({
      five_hour: { used_percentage: 100, resets_at: null },
    })
  })

  it("the window whose known reset is the hit's (to the minute) wins; no reset shown keeps the known one", () => {
    const weekly = new Date(now + 3600_000)
    const known = { seven_day: { resets_at: new Date(weekly.getTime() + 30_000).toISOString() } }
    expect(quotaOfLimitHit(weekly, now, known)).toEqual({
      seven_day: { used_percentage: 100, resets_at: weekly.toISOString() },
    })
    const five = { five_hour: { resets_at: "2030-01-01T14:00:00.000Z" } }
    expect(quotaOfLimitHit(undefined, now, five)).toEqual({
      five_hour: { used_percentage: 100, resets_at: "2030-01-01T14:00:00.000Z" },
    })
  })
})
