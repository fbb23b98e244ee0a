import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { detectUsageLimit } from "../../src/domain/UsageLimit.js"

// Tuesday 2026-11-24 15:00 UTC. In November: Cairo UTC+2, Berlin/Paris/Warsaw UTC+1, Calcutta UTC+5:30,
// New York UTC-5 (DST ended 2026-11-01), Tokyo UTC+9.
const now = Date.UTC(2026, 10, 24, 15, 0)

/** The real Claude Code 2.1.332 screens, recorded (shared with the team, read-only). */
const REAL_SCREENS = path.resolve(__dirname, "../fixtures/claude-code/screens")

const iso = (ms: number) => new Date(ms).toISOString()
const resetOf = (text: string, at = now, zone = "UTC") => {
  const hit = detectUsageLimit(text, at, zone)
  expect(hit, `no hit in ${JSON.stringify(text)}`).toBeDefined()
  return hit?.resetAt === undefined ? undefined : iso(hit.resetAt.getTime())
}

describe("detectUsageLimit: which texts are limit hits (DESIGN.md 'Usage-limit screens')", () => {
  it.each([
    "You've hit your limit · resets 8pm (Africa/Cairo)",
    "You've hit your session limit · resets 10:30pm (Europe/Berlin)",
    "You've hit your 5-hour limit · resets 3am (Europe/Paris)",
    "You've hit your weekly limit · resets 3am (Europe/Paris)",
    "You've hit your Opus limit · resets 3am (Europe/Paris)",
    "You've hit your Sonnet limit · resets 3am (Europe/Paris)",
    "You've hit your usage credit limit · resets 3am (Europe/Paris)",
    "You’ve hit your limit · resets 8pm (Africa/Cairo)", // typographic apostrophe
    "You've hit your limit · resets Jan 30, 11:30am (Asia/Calcutta)",
    "5-hour limit reached ∙ resets 3am",
    "Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw).",
    "Claude AI usage limit reached|1736503200",
    "You've hit your limit",
  ])("detects %j", (line) => {
    const hit = detectUsageLimit(line, now, "UTC")
    expect(hit).toBeDefined()
    expect(hit?.line).toBe(line)
  })

  it.each([
    "You've used 90% of your weekly limit · resets 3am (Europe/Paris)",
    "You've used 75% of your session limit · resets 10:30pm (Europe/Berlin)",
    "Approaching usage limit · resets at 3pm",
    "Approaching Opus usage limit",
    "API Error: Server is temporarily limiting requests (not your usage limit)",
    "/upgrade to increase your usage limit.",
    "/login to switch to an API usage-billed account.",
    "",
    "> Summarise the limits of the current design",
  ])("does not detect %j", (line) => {
    expect(detectUsageLimit(line, now, "UTC")).toBeUndefined()
  })

  it("finds the hit line inside a whole screen", () => {
    const screen = [
      "╭─────────────────────────────────────────────╮",
      "│ ✻ Welcome to Claude Code!                   │",
      "╰─────────────────────────────────────────────╯",
      "",
      "> Fix the failing tests in src/queue.ts",
      "",
      "⏺ I'll start by reading the test file.",
      "",
      "  ⎿  You've hit your limit · resets 8pm (Africa/Cairo)",
      "     /upgrade to increase your usage limit.",
      "",
      "╭─────────────────────────────────────────────╮",
      "│ >                                           │",
      "╰─────────────────────────────────────────────╯",
      "  ? for shortcuts",
    ].join("\n")
    const hit = detectUsageLimit(screen, now, "UTC")
    expect(hit?.line).toContain("You've hit your limit · resets 8pm (Africa/Cairo)")
    expect(hit?.line).not.toContain("\n")
    expect(hit?.resetAt?.getTime()).toBe(Date.UTC(2026, 10, 24, 18, 0))
  })

  it("finds the hit in a CRLF screen", () => {
    const screen =
      "> task\r\n\r\n5-hour limit reached ∙ resets 3am\r\n/upgrade to increase your usage limit.\r\n"
    expect(detectUsageLimit(screen, now, "UTC")?.resetAt?.getTime()).toBe(Date.UTC(2026, 10, 25, 3, 0))
  })

  it("ignores a screen with only the 90% warning and other UI", () => {
    const screen = [
      "> Write the release notes",
      "⏺ Done. The notes are in CHANGELOG.md.",
      "You've used 90% of your weekly limit · resets Jan 30, 11:30am (Asia/Calcutta)",
      "╭──────╮",
      "│ >    │",
      "╰──────╯",
    ].join("\n")
    expect(detectUsageLimit(screen, now, "UTC")).toBeUndefined()
  })

  it("returns undefined for a screen without a limit", () => {
    expect(detectUsageLimit("╭───╮\n│ > │\n╰───╯\n  ? for shortcuts\n", now, "UTC")).toBeUndefined()
  })
})

describe("detectUsageLimit: reset times", () => {
  it("'resets 8pm (Africa/Cairo)' is 20:00 Cairo (UTC+2) today", () => {
    expect(resetOf("You've hit your limit · resets 8pm (Africa/Cairo)")).toBe(
      iso(Date.UTC(2026, 10, 24, 18, 0)),
    )
  })

  it("'resets 10:30pm (Europe/Berlin)' is 22:30 Berlin (UTC+1) today", () => {
    expect(resetOf("You've hit your session limit · resets 10:30pm (Europe/Berlin)")).toBe(
      iso(Date.UTC(2026, 10, 24, 21, 30)),
    )
  })

  it("a time already past in that zone means tomorrow", () => {
    // 16:00 in Paris now; 3am is past.
    expect(resetOf("You've hit your 5-hour limit · resets 3am (Europe/Paris)")).toBe(
      iso(Date.UTC(2026, 10, 25, 2, 0)),
    )
  })

  it("rolls over midnight, month and year in the named zone", () => {
    // 2026-12-31 23:30 in Berlin; 12:15am is past today, so it is 2027-01-01 00:15 Berlin.
    const lateNewYearsEve = Date.UTC(2026, 11, 31, 22, 30)
    expect(resetOf("You've hit your limit · resets 12:15am (Europe/Berlin)", lateNewYearsEve)).toBe(
      iso(Date.UTC(2026, 11, 31, 23, 15)),
    )
  })

  it("uses the date in the named zone, not the UTC date", () => {
    // 2026-11-24 23:30 UTC is 2026-11-25 08:30 in Tokyo: 8am is past there, so it is 8am on the 26th.
    const at = Date.UTC(2026, 10, 24, 23, 30)
    expect(resetOf("You've hit your limit · resets 8am (Asia/Tokyo)", at)).toBe(
      iso(Date.UTC(2026, 10, 25, 23, 0)),
    )
    // 2026-11-25 02:00 UTC is 2026-11-24 18:00 in Los Angeles: 7pm is still ahead, on the 24th there.
    const la = Date.UTC(2026, 10, 25, 2, 0)
    expect(resetOf("You've hit your limit · resets 7pm (America/Los_Angeles)", la)).toBe(
      iso(Date.UTC(2026, 10, 25, 3, 0)),
    )
  })

  it("reads 12am as midnight and 12pm as noon", () => {
    expect(resetOf("You've hit your limit · resets 12am (UTC)")).toBe(iso(Date.UTC(2026, 10, 25, 0, 0)))
    expect(resetOf("You've hit your limit · resets 12:30am (UTC)")).toBe(iso(Date.UTC(2026, 10, 25, 0, 30)))
    // noon is past at 15:00 UTC
    expect(resetOf("You've hit your limit · resets 12pm (UTC)")).toBe(iso(Date.UTC(2026, 10, 25, 12, 0)))
    expect(resetOf("You've hit your limit · resets 11pm (UTC)")).toBe(iso(Date.UTC(2026, 10, 24, 23, 0)))
  })

  it("'resets Jan 30, 11:30am (Asia/Calcutta)' is next year's Jan 30 when this year's is past", () => {
    // IST is UTC+5:30: 11:30 IST = 06:00 UTC.
    expect(resetOf("You've hit your limit · resets Jan 30, 11:30am (Asia/Calcutta)")).toBe(
      iso(Date.UTC(2027, 0, 30, 6, 0)),
    )
  })

  it("a month-day still ahead this year stays in this year", () => {
    expect(resetOf("You've hit your limit · resets Dec 2, 9am (Asia/Calcutta)")).toBe(
      iso(Date.UTC(2026, 11, 2, 3, 30)),
    )
    const january = Date.UTC(2027, 0, 10, 12, 0)
    expect(resetOf("You've hit your limit · resets Jan 30, 11:30am (Asia/Calcutta)", january)).toBe(
      iso(Date.UTC(2027, 0, 30, 6, 0)),
    )
  })

  it("'5-hour limit reached ∙ resets 3am' uses the local zone argument", () => {
    const text = "5-hour limit reached ∙ resets 3am"
    // UTC: 15:00 now, 3am past -> tomorrow 03:00 UTC.
    expect(resetOf(text, now, "UTC")).toBe(iso(Date.UTC(2026, 10, 25, 3, 0)))
    // New York (UTC-5): 10:00 now, 3am past -> tomorrow 03:00 EST = 08:00 UTC.
    expect(resetOf(text, now, "America/New_York")).toBe(iso(Date.UTC(2026, 10, 25, 8, 0)))
    // Tokyo (UTC+9): 00:00 on the 25th now, 3am ahead -> 03:00 JST on the 25th = 18:00 UTC on the 24th.
    expect(resetOf(text, now, "Asia/Tokyo")).toBe(iso(Date.UTC(2026, 10, 24, 18, 0)))
  })

  it("the zone in brackets wins over the local zone", () => {
    expect(resetOf("You've hit your limit · resets 8pm (Africa/Cairo)", now, "America/New_York")).toBe(
      iso(Date.UTC(2026, 10, 24, 18, 0)),
    )
  })

  it("'Your limit will reset at 5pm (Europe/Warsaw)' is 17:00 Warsaw (UTC+1)", () => {
    expect(resetOf("Claude usage limit reached. Your limit will reset at 5pm (Europe/Warsaw).")).toBe(
      iso(Date.UTC(2026, 10, 24, 16, 0)),
    )
  })

  it("reads the reset from the line after the hit", () => {
    const screen = "Claude usage limit reached.\nYour limit will reset at 5pm (Europe/Warsaw).\n"
    expect(resetOf(screen)).toBe(iso(Date.UTC(2026, 10, 24, 16, 0)))
  })

  it("reads the epoch form exactly", () => {
    const hit = detectUsageLimit("Claude AI usage limit reached|1736503200", now, "Europe/Paris")
    expect(hit?.resetAt?.getTime()).toBe(1_736_503_200_000)
  })

  it("reads the epoch form inside a screen", () => {
    const screen = "> do the thing\n\nClaude AI usage limit reached|1736503200\n\n│ > │\n"
    expect(detectUsageLimit(screen, now, "UTC")?.resetAt?.getTime()).toBe(1_736_503_200_000)
  })

  describe("across DST changes (Europe/Paris)", () => {
    it("spring forward: Sunday 2026-03-29 9am is CEST (UTC+2)", () => {
      const saturdayEvening = Date.UTC(2026, 2, 28, 20, 0) // 21:00 CET
      expect(resetOf("You've hit your limit · resets 9am (Europe/Paris)", saturdayEvening)).toBe(
        iso(Date.UTC(2026, 2, 29, 7, 0)),
      )
      expect(resetOf("You've hit your limit · resets 3am (Europe/Paris)", saturdayEvening)).toBe(
        iso(Date.UTC(2026, 2, 29, 1, 0)),
      )
      // 1am is still CET (UTC+1): the switch happens at 2am.
      expect(resetOf("You've hit your limit · resets 1am (Europe/Paris)", saturdayEvening)).toBe(
        iso(Date.UTC(2026, 2, 29, 0, 0)),
      )
    })

    it("fall back: Sunday 2026-10-25 9am is CET (UTC+1)", () => {
      const saturdayEvening = Date.UTC(2026, 9, 24, 20, 0) // 22:00 CEST
      expect(resetOf("You've hit your limit · resets 9am (Europe/Paris)", saturdayEvening)).toBe(
        iso(Date.UTC(2026, 9, 25, 8, 0)),
      )
      // 1am is still CEST (UTC+2): the switch happens at 3am.
      expect(resetOf("You've hit your limit · resets 1am (Europe/Paris)", saturdayEvening)).toBe(
        iso(Date.UTC(2026, 9, 24, 23, 0)),
      )
    })
  })

  it("an unknown zone in brackets still counts as a hit, without a reset time", () => {
    const hit = detectUsageLimit("You've hit your limit · resets 8pm (Mars/Olympus_Mons)", now, "UTC")
    expect(hit).toBeDefined()
    expect(hit?.resetAt).toBeUndefined()
  })

  it("a hit without a reset time has resetAt undefined", () => {
    const hit = detectUsageLimit("You've hit your limit\n/upgrade to increase your usage limit.", now, "UTC")
    expect(hit).toBeDefined()
    expect(hit?.resetAt).toBeUndefined()
  })

  it("every reset time is in the future", () => {
    for (const line of [
      "You've hit your limit · resets 8pm (Africa/Cairo)",
      "You've hit your limit · resets 3pm (UTC)",
      "You've hit your limit · resets 2:59pm (UTC)",
      "5-hour limit reached ∙ resets 4pm",
      "You've hit your limit · resets Nov 24, 2pm (UTC)",
    ]) {
      const resetAt = detectUsageLimit(line, now, "UTC")?.resetAt
      expect(resetAt?.getTime(), line).toBeGreaterThan(now)
    }
  })
})

describe("detectUsageLimit: Claude Code 2.1.332 (real screens, ../shared/claude-code/screens)", () => {
  // 2026-11-24 15:00 UTC: 10:15pm UTC is later today.
  const at1015 = "2026-11-24T22:15:00.000Z"

  it.each([
    "  ⎿ \u00a0You've hit your 5-hour limit · resets 10:15pm (UTC)",
    "● Usage limit reached · set to continue automatically at 10:15pm",
    "  ⚠ Usage limit reached · limit resets 10:15pm",
  ])("reads the reset time of %j", (line) => {
    expect(resetOf(line)).toBe(at1015)
  })

  it("reads the reset from the next line: Continuing automatically at 10:15pm", () => {
    expect(resetOf("You've hit your limit\n    Continuing automatically at 10:15pm · Esc to cancel")).toBe(
      at1015,
    )
  })

  it("reads the weekly form with a date: resets Dec 3, 8:09pm (UTC)", () => {
    expect(resetOf("  ⎿ \u00a0You've hit your weekly limit · resets Dec 3, 8:09pm (UTC)")).toBe(
      "2026-12-03T20:09:00.000Z",
    )
  })

  it("takes the reset of the whole recorded limit screen, not the 5-hour default (bug 4)", () => {
    const screen = readFileSync(path.join(REAL_SCREENS, "limit.txt"), "utf8")
    const hit = detectUsageLimit(screen, now, "UTC")
    expect(hit?.resetAt?.toISOString()).toBe("2026-11-24T22:21:00.000Z")
  })

  it("a bottom line without a time takes the time of the hit above it", () => {
    const text = "  ⎿  You've hit your 5-hour limit · resets 10:15pm (UTC)\n● Usage limit reached · waiting"
    expect(detectUsageLimit(text, now, "UTC")).toEqual({
      line: "Usage limit reached · waiting",
      resetAt: new Date(at1015),
    })
  })

  it("a reset shown as the current minute is the end of that minute, not tomorrow (minutes only on screen)", () => {
    const inTheMinute = Date.UTC(2026, 10, 24, 22, 15, 20)
    expect(resetOf("You've hit your limit · resets 10:15pm (UTC)", inTheMinute)).toBe(
      "2026-11-24T22:16:00.000Z",
    )
    const aMinuteLater = Date.UTC(2026, 10, 24, 22, 16, 1)
    expect(resetOf("You've hit your limit · resets 10:15pm (UTC)", aMinuteLater)).toBe(
      "2026-11-25T22:15:00.000Z",
    )
  })
})
