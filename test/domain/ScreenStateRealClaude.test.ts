// classifyScreen against the real Claude Code 2.1.332 screens recorded in tmux (test/fixtures/claude-code/screens,
// a copy of ../shared/claude-code/screens) and the cases the real binary showed that the simulator never did.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { classifyScreen, limitLineCount, type ScreenState } from "../../src/domain/ScreenState.js"

const dir = path.resolve(__dirname, "../fixtures/claude-code/screens")
const read = (file: string) => readFileSync(path.join(dir, file), "utf8")

// 2026-11-24 15:00 UTC; the recordings show times in UTC (the claude process's zone).
const now = Date.UTC(2026, 10, 24, 15, 0)
const classify = (screen: string, limitLinesBefore = 0) =>
  classifyScreen(screen, now, "UTC", { limitLinesBefore })

const EXPECTED: ReadonlyArray<readonly [string, ScreenState, (string | undefined)?]> = [
  ["idle.txt", "idle"],
  ["busy.txt", "busy"],
  ["pasted.txt", "idle"], // `❯ [Pasted text #1 +200 lines]` waits for Enter
  ["cleared.txt", "idle"],
  ["limit.txt", "usage-limit", "2026-11-24T22:21:00.000Z"],
  ["limit-cancelled.txt", "idle"], // Esc: `● Automatic continue cancelled` follows the hit
  ["limit-apikey.txt", "idle"], // API-key billing: a plain 429 error, no subscription limit
  ["resumed.txt", "idle"],
  ["resumed-config2.txt", "idle"],
  ["variant-enter-too-early-lost.txt", "idle"],
  ["variant-limit-bare-429-retrying.txt", "busy"],
  ["variant-limit-no-claim-header.txt", "usage-limit", "2026-11-24T22:20:00.000Z"],
  ["variant-limit-seven_day-menu.txt", "usage-limit", "2026-12-03T20:12:00.000Z"],
  ["variant-missing-customApiKeyResponses.txt", "waiting"],
  ["variant-missing-hasTrustDialogAccepted.txt", "waiting"],
  ["variant-missing-skipDangerousModePermissionPrompt.txt", "waiting"],
  // Recorded through a wrapper that printed CLAUDE-EXITED: never idle, never a limit.
  ["variant-missing-hasCompletedOnboarding.txt", "unknown"],
  ["variant-missing-IS_SANDBOX-as-root.txt", "unknown"],
  ["exited.txt", "unknown"],
]

describe("classifyScreen: real Claude Code 2.1.332 screens", () => {
  it.each(EXPECTED)("%s -> %s", (file, state, resetAt) => {
    const reading = classify(read(String(file)))
    expect(reading.state, reading.evidence).toBe(state)
    expect(reading.resetAt?.toISOString()).toBe(resetAt)
  })

  it("the weekly menu holds the input: it is a limit, decided by the live menu", () => {
    expect(classify(read("variant-limit-seven_day-menu.txt")).evidence).toContain(
      "Stop and wait for limit to reset",
    )
  })

  it("the start-up dialogs name what blocks", () => {
    expect(classify(read("variant-missing-skipDangerousModePermissionPrompt.txt")).evidence).toContain(
      "Enter to confirm",
    )
    expect(classify(read("variant-missing-hasTrustDialogAccepted.txt")).evidence).toContain(
      "Quick safety check",
    )
  })
})

describe("a limit is an event: lines a --resume redraws are history (bug 1)", () => {
  // What `claude --resume` of a conversation killed at its limit shows: the old hit above an idle input box, with
  // neither the live footer nor `Automatic continue cancelled`.
  const limit = read("limit.txt")
  const resumedAfterLimit = limit.replace(/ {2}⚠ Usage limit reached[^\n]*\n[^\n]*Esc to cancel\n/, "")

  it("the fixture is what the issue describes", () => {
    expect(resumedAfterLimit).toContain("You've hit your 5-hour limit")
    expect(resumedAfterLimit).toContain("set to continue automatically at")
    expect(resumedAfterLimit).not.toContain("Esc to cancel")
  })

  it("with no baseline the old hit reads as a limit (what ccl did before)", () => {
    expect(classify(resumedAfterLimit).state).toBe("usage-limit")
  })

  it("with the lines seen at launch as the baseline, it is idle", () => {
    const before = limitLineCount(resumedAfterLimit)
    expect(before).toBe(2)
    expect(classify(resumedAfterLimit, before).state).toBe("idle")
  })

  it("a new hit after the baseline is a limit again", () => {
    const before = limitLineCount(resumedAfterLimit)
    const newHit = resumedAfterLimit.replace(
      /\n(─+\n❯\u00a0)/,
      "\n❯ continue the task\n  ⎿ \u00a0You've hit your 5-hour limit · resets 11:40pm (UTC)\n\n$1",
    )
    expect(limitLineCount(newHit)).toBe(before + 1)
    const reading = classify(newHit, before)
    expect(reading.state).toBe("usage-limit")
    expect(reading.resetAt?.toISOString()).toBe("2026-11-24T23:40:00.000Z")
  })

  it("the live footer is a limit whatever the baseline says", () => {
    expect(classify(limit, limitLineCount(limit)).state).toBe("usage-limit")
  })
})
