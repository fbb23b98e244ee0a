import { describe, expect, it } from "@effect/vitest"
import { decideQuota, type PolicyInput, preciseReset, type QuotaView } from "../../src/domain/QuotaPolicy.js"

const at = (five: number | null, seven: number | null = null): QuotaView => ({
  five_hour: five === null ? null : { used_percentage: five, resets_at: "2026-12-02T15:00:00.000Z" },
  seven_day: seven === null ? null : { used_percentage: seven, resets_at: "2026-12-08T00:00:00.000Z" },
})

const input = (quotas: Record<string, QuotaView>, over: Partial<PolicyInput> = {}): PolicyInput => ({
  active: "main",
  quotas: (name) => quotas[name],
  others: [{ name: "backup", cooling: false }],
  thresholds: { swapAtPercent: 95, stopNewTasksAtPercent: 90 },
  tasksWaiting: false,
  now: Date.parse("2026-12-02T12:00:00.000Z"),
  ...over,
})

describe("decideQuota (accounts_policy)", () => {
  it("below the stop threshold, or with no report, runs as before", () => {
    expect(decideQuota(input({ main: at(89, 40) }))).toEqual({ kind: "ok" })
    expect(decideQuota(input({}))).toEqual({ kind: "ok" })
  })

  it("past the stop threshold holds new tasks while another account has room, naming the signal", () => {
    expect(decideQuota(input({ main: at(91) }))).toEqual({
      kind: "hold",
      reason: "quota: main five_hour at 91% >= stop_new_tasks_at_percent 90",
    })
  })

  it("past the stop threshold with tasks waiting, swaps: nothing else would bring the account to its wall", () => {
    const d = decideQuota(input({ main: at(91) }, { tasksWaiting: true }))
    expect(d.kind).toBe("swap")
    expect(d.kind === "swap" && d.reason).toContain("tasks waiting, backup has room")
  })

  it("past the swap threshold in any window swaps, with the window's reset as the cooldown", () => {
    const d = decideQuota(input({ main: at(20, 96) }))
    expect(d).toEqual({
      kind: "swap",
      reason: "quota: main seven_day at 96% >= swap_at_percent 95",
      resetAt: Date.parse("2026-12-08T00:00:00.000Z"),
    })
  })

  it("a window whose reset has passed no longer counts", () => {
    expect(decideQuota(input({ main: at(99) }, { now: Date.parse("2026-12-02T15:00:01.000Z") }))).toEqual({
      kind: "ok",
    })
  })

  it("never moves to an account that is cooling down or itself past the stop threshold", () => {
    expect(decideQuota(input({ main: at(99) }, { others: [{ name: "backup", cooling: true }] }))).toEqual({
      kind: "ok",
    })
    expect(decideQuota(input({ main: at(99), backup: at(92) }))).toEqual({ kind: "ok" })
    // The first with room in failover order.
    const d = decideQuota(
      input(
        { main: at(99), backup: at(92), spare: at(10) },
        {
          others: [
            { name: "backup", cooling: false },
            { name: "spare", cooling: false },
          ],
          tasksWaiting: true,
        },
      ),
    )
    expect(d.kind).toBe("swap")
  })
})

describe("preciseReset: a limit's reset to the second", () => {
  const q = at(100)
  const exact = Date.parse("2026-12-02T15:00:00.000Z")
  it("takes the statusline's window reset near the line's minute, else the line's own", () => {
    expect(
      preciseReset(Date.parse("2026-12-02T14:59:00.000Z"), {
        five_hour: { used_percentage: 100, resets_at: "2026-12-02T14:59:41.000Z" },
        seven_day: null,
      }),
    ).toBe(Date.parse("2026-12-02T14:59:41.000Z"))
    expect(preciseReset(exact, q)).toBe(exact)
    expect(preciseReset(Date.parse("2026-12-02T20:00:00.000Z"), q)).toBe(
      Date.parse("2026-12-02T20:00:00.000Z"),
    )
    expect(preciseReset(undefined, q)).toBeUndefined()
    expect(preciseReset(exact, undefined)).toBe(exact)
  })

  it("a minute already begun reads as tomorrow in the line: the window's reset today still matches", () => {
    expect(
      preciseReset(Date.parse("2026-12-03T14:59:00.000Z"), {
        five_hour: { used_percentage: 100, resets_at: "2026-12-02T14:59:20.000Z" },
        seven_day: null,
      }),
    ).toBe(Date.parse("2026-12-02T14:59:20.000Z"))
  })
})
