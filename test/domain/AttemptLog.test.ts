import { describe, expect, it } from "@effect/vitest"
import { attemptCauses, backoffAfter, renderAttempts } from "../../src/domain/AttemptLog.js"
import { parseFooter, renderFooter } from "../../src/domain/ResultFooter.js"

describe("attempts (DESIGN.md 'Task file': failure causes)", () => {
  const entries = [
    { n: 1, cause: "session_dead", session: "ccl-pool-2", at: "2026-12-02T10:00:00.000Z", detail: "it died" },
    {
      n: 2,
      cause: "timeout",
      session: "ccl-pool-1",
      at: "2026-12-02T11:00:00.000Z",
      detail: "past (2h), really",
    },
  ]

  it("renders each attempt with its cause, session and time, on one footer line", () => {
    const text = renderAttempts(entries)
    expect(text).toBe(
      "1 session_dead (ccl-pool-2, 2026-12-02T10:00:00.000Z: it died), 2 timeout (ccl-pool-1, 2026-12-02T11:00:00.000Z: past  2h   really)",
    )
    expect(attemptCauses(text)).toEqual(["session_dead", "timeout"])
  })

  it("survives the footer round trip, with the cause", () => {
    const footer = {
      status: "failed" as const,
      route: "local" as const,
      provider: "claude-code",
      finished_at: "2026-12-02T12:00:00.000Z",
      cause: "timeout",
      error: "timeout: past its timeout",
      attempts: renderAttempts(entries),
    }
    const parsed = parseFooter(`task\n${renderFooter(footer)}`)
    expect(parsed?.footer).toEqual(footer)
    expect(attemptCauses(parsed?.footer.attempts)).toEqual(["session_dead", "timeout"])
  })

  it("backs off from the first wait, doubling, capped", () => {
    expect([1, 2, 3, 4, 5].map((n) => backoffAfter(n, 30_000, 100_000))).toEqual([
      30_000, 60_000, 100_000, 100_000, 100_000,
    ])
    expect(backoffAfter(1, 0, 100_000)).toBe(0)
    expect(backoffAfter(500, 1_000, 1_800_000)).toBe(1_800_000)
  })
})
