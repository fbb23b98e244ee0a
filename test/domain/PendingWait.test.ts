import { describe, expect, it } from "@effect/vitest"
import { allSpentUntil, pendingWait } from "../../src/domain/PendingWait.js"

const NOW = Date.parse("2026-12-02T12:00:00.000Z")
const base = {
  readiness: undefined,
  retryAt: undefined,
  lastCause: undefined,
  allSpentUntil: undefined,
  now: NOW,
}

describe("pendingWait: why a pending task is not running (ccl queue list)", () => {
  it("says nothing for a task free to run", () => {
    expect(pendingWait(base)).toBeUndefined()
    expect(pendingWait({ ...base, readiness: { kind: "ready" }, retryAt: NOW - 1 })).toBeUndefined()
  })

  it("names what a blocked task waits for", () => {
    const readiness = { kind: "waiting", on: [{ id: "build", state: "active" }] } as const
    expect(pendingWait({ ...base, readiness })).toBe("blocked: waits for build (active)")
  })

  it("says a task with a failed dependency or on a cycle will fail", () => {
    expect(pendingWait({ ...base, readiness: { kind: "dependency_failed", dependency: "build" } })).toBe(
      "cannot run: dependency build failed (failed/ at the next dispatch)",
    )
  })

  it("gives the time of the next attempt after a failed one", () => {
    expect(pendingWait({ ...base, retryAt: NOW + 30_000, lastCause: "session_dead" })).toBe(
      "retry after 2026-12-02T12:00:30.000Z (last attempt: session_dead)",
    )
  })

  it("says when every account is spent, until the earliest reset", () => {
    const until = allSpentUntil(
      ["main", "backup"],
      { main: "2026-12-02T15:00:00.000Z", backup: "2026-12-02T13:00:00.000Z" },
      NOW,
    )
    expect(pendingWait({ ...base, allSpentUntil: until })).toBe(
      "waiting for reset at 2026-12-02T13:00:00.000Z (every account is spent)",
    )
    // One account with room, an expired cooldown, or no accounts at all: nothing to wait for.
    expect(allSpentUntil(["main", "backup"], { main: "2026-12-02T15:00:00.000Z" }, NOW)).toBeUndefined()
    expect(allSpentUntil(["main"], { main: "2026-12-02T11:00:00.000Z" }, NOW)).toBeUndefined()
    expect(allSpentUntil([], {}, NOW)).toBeUndefined()
  })
})
