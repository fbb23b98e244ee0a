import { describe, expect, it } from "@effect/vitest"
import type { ScreenReading } from "../../src/domain/ScreenState.js"
import {
  combineSignals,
  type HookSignal,
  hookState,
  type ScreenSignal,
  type StatusFileSignal,
} from "../../src/domain/SessionSignals.js"

const resetAt = new Date("2026-11-24T19:00:00.000Z")
const hook = (event: HookSignal["event"], at: number, extra: Partial<HookSignal> = {}): HookSignal => ({
  event,
  at,
  ...extra,
})
const status = (s: StatusFileSignal["status"], at: number): StatusFileSignal => ({ status: s, at })
const screen = (state: ScreenReading["state"], at?: number): ScreenSignal =>
  at === undefined
    ? { state, evidence: `screen says ${state}` }
    : { state, evidence: `screen says ${state}`, at }
const limitScreen = (at?: number): ScreenSignal => ({ ...screen("usage-limit", at), resetAt })

describe("hookState", () => {
  it.each([
    [hook("Stop", 1), "idle"],
    [hook("SessionStart", 1), "idle"],
    [hook("UserPromptSubmit", 1), "busy"],
    [hook("StopFailure", 1, { error: "rate_limit" }), "usage-limit"],
    [hook("StopFailure", 1, { error: "server_error" }), "idle"],
    [hook("StopFailure", 1), "idle"],
    [hook("Notification", 1, { notificationType: "idle_prompt" }), "idle"],
    [hook("Notification", 1, { notificationType: "permission_prompt" }), "waiting"],
    [hook("Notification", 1, { notificationType: "auth_success" }), undefined],
    [hook("Notification", 1), undefined],
  ] as const)("%j -> %s", (h, state) => {
    expect(hookState(h)).toBe(state)
  })
})

describe("combineSignals", () => {
  it("no signal -> unknown, decided by none", () => {
    expect(combineSignals({})).toEqual({ state: "unknown", decidedBy: "none" })
  })

  it("a screen reading unknown decides nothing", () => {
    expect(combineSignals({ screen: screen("unknown", 5) })).toEqual({ state: "unknown", decidedBy: "none" })
  })

  it.each(["idle", "busy", "waiting", "shell"] as const)("screen alone: %s", (state) => {
    expect(combineSignals({ screen: screen(state, 5) })).toEqual({ state, decidedBy: "screen" })
  })

  it("a plain ScreenReading (no capture time) is accepted", () => {
    const reading: ScreenReading = { state: "busy", evidence: "spinner" }
    expect(combineSignals({ screen: reading })).toEqual({ state: "busy", decidedBy: "screen" })
  })

  it("hook alone, status file alone", () => {
    expect(combineSignals({ hook: hook("UserPromptSubmit", 1) })).toEqual({
      state: "busy",
      decidedBy: "hook",
    })
    expect(combineSignals({ statusFile: status("waiting", 1) })).toEqual({
      state: "waiting",
      decidedBy: "status-file",
    })
    expect(combineSignals({ statusFile: status("shell", 1) })).toEqual({
      state: "shell",
      decidedBy: "status-file",
    })
  })

  it("the hook beats the status file, even a newer one", () => {
    expect(combineSignals({ hook: hook("Stop", 10), statusFile: status("busy", 5) })).toEqual({
      state: "idle",
      decidedBy: "hook",
    })
    expect(combineSignals({ hook: hook("Stop", 10), statusFile: status("busy", 20) })).toEqual({
      state: "idle",
      decidedBy: "hook",
    })
  })

  it("a hook that says nothing gives way to the status file, then the screen, then none", () => {
    const silent = hook("Notification", 10, { notificationType: "auth_success" })
    expect(
      combineSignals({ hook: silent, statusFile: status("busy", 5), screen: screen("idle", 20) }),
    ).toEqual({
      state: "busy",
      decidedBy: "status-file",
    })
    expect(combineSignals({ hook: silent, screen: screen("waiting", 20) })).toEqual({
      state: "waiting",
      decidedBy: "screen",
    })
    expect(combineSignals({ hook: silent })).toEqual({ state: "unknown", decidedBy: "none" })
  })

  it("a hook or status file older than the screen still beats it (idle, busy, waiting, unknown screens)", () => {
    for (const s of ["idle", "busy", "waiting", "unknown"] as const) {
      expect(combineSignals({ hook: hook("UserPromptSubmit", 1), screen: screen(s, 100) }), s).toEqual({
        state: "busy",
        decidedBy: "hook",
      })
      expect(combineSignals({ statusFile: status("idle", 1), screen: screen(s, 100) }), s).toEqual({
        state: "idle",
        decidedBy: "status-file",
      })
    }
  })

  it("a screen showing usage-limit always wins, with its reset time", () => {
    expect(combineSignals({ hook: hook("SessionStart", 100), screen: limitScreen(1) })).toEqual({
      state: "usage-limit",
      resetAt,
      decidedBy: "screen",
    })
    expect(
      combineSignals({ hook: hook("Stop", 100), statusFile: status("busy", 100), screen: limitScreen() }),
    ).toEqual({ state: "usage-limit", resetAt, decidedBy: "screen" })
    expect(
      combineSignals({ hook: hook("StopFailure", 1, { error: "rate_limit" }), screen: limitScreen(2) }),
    ).toEqual({ state: "usage-limit", resetAt, decidedBy: "screen" })
  })

  it("a usage-limit screen without a reset time gives none", () => {
    const combined = combineSignals({ statusFile: status("idle", 100), screen: screen("usage-limit", 1) })
    expect(combined).toEqual({ state: "usage-limit", decidedBy: "screen" })
    expect("resetAt" in combined).toBe(false)
  })

  it("a rate_limit StopFailure hook beats a screen that does not show the limit (no reset time)", () => {
    const combined = combineSignals({
      hook: hook("StopFailure", 1, { error: "rate_limit" }),
      statusFile: status("idle", 50),
      screen: screen("idle", 100),
    })
    expect(combined).toEqual({ state: "usage-limit", decidedBy: "hook" })
    expect("resetAt" in combined).toBe(false)
  })

  it("a screen showing shell beats an older hook, not a newer or simultaneous one", () => {
    expect(combineSignals({ hook: hook("Stop", 10), screen: screen("shell", 20) })).toEqual({
      state: "shell",
      decidedBy: "screen",
    })
    expect(combineSignals({ hook: hook("SessionStart", 30), screen: screen("shell", 20) })).toEqual({
      state: "idle",
      decidedBy: "hook",
    })
    expect(combineSignals({ hook: hook("UserPromptSubmit", 20), screen: screen("shell", 20) })).toEqual({
      state: "busy",
      decidedBy: "hook",
    })
    expect(
      combineSignals({ hook: hook("StopFailure", 10, { error: "rate_limit" }), screen: screen("shell", 20) }),
    ).toEqual({ state: "shell", decidedBy: "screen" })
  })

  it("a screen showing shell beats an older status file, not a newer one", () => {
    expect(combineSignals({ statusFile: status("busy", 10), screen: screen("shell", 20) })).toEqual({
      state: "shell",
      decidedBy: "screen",
    })
    expect(combineSignals({ statusFile: status("busy", 30), screen: screen("shell", 20) })).toEqual({
      state: "busy",
      decidedBy: "status-file",
    })
  })

  it("shell wins only when the hook and the status file are both older than the screen", () => {
    // The status file was written after the capture: the agent ran after it, the usual order applies.
    expect(
      combineSignals({ hook: hook("Stop", 10), statusFile: status("busy", 30), screen: screen("shell", 20) }),
    ).toEqual({ state: "idle", decidedBy: "hook" })
    expect(
      combineSignals({
        hook: hook("SessionStart", 30),
        statusFile: status("busy", 10),
        screen: screen("shell", 20),
      }),
    ).toEqual({ state: "idle", decidedBy: "hook" })
    expect(
      combineSignals({ hook: hook("Stop", 10), statusFile: status("busy", 15), screen: screen("shell", 20) }),
    ).toEqual({ state: "shell", decidedBy: "screen" })
    // A newer hook that says nothing still shows the agent ran after the capture; the status file decides.
    expect(
      combineSignals({
        hook: hook("Notification", 30, { notificationType: "auth_success" }),
        statusFile: status("waiting", 10),
        screen: screen("shell", 20),
      }),
    ).toEqual({ state: "waiting", decidedBy: "status-file" })
  })

  it("a shell screen without a capture time counts as current", () => {
    expect(combineSignals({ hook: hook("SessionStart", 1e15), screen: screen("shell") })).toEqual({
      state: "shell",
      decidedBy: "screen",
    })
  })
})
