import type { ScreenReading, ScreenState } from "./ScreenState.js"

/** The latest Claude Code hook event ccl received for a session (DESIGN.md "Claude Code hooks"). */
export interface HookSignal {
  readonly event: "SessionStart" | "Stop" | "StopFailure" | "Notification" | "UserPromptSubmit"
  /** When ccl received it, epoch ms. */
  readonly at: number
  /** StopFailure's `error` (`rate_limit`, ...). */
  readonly error?: string
  /** Notification's `notification_type` (`idle_prompt`, `permission_prompt`, ...). */
  readonly notificationType?: string
}

/** Claude Code's live status file `<CLAUDE_CONFIG_DIR>/sessions/<pid>.json` (Claude Code 2.1+). */
export interface StatusFileSignal {
  readonly status: "busy" | "idle" | "waiting" | "shell"
  /** When it was written (its mtime), epoch ms. */
  readonly at: number
}

/** A screen reading, with when the screen was captured (epoch ms). Without `at` the capture counts as current. */
export interface ScreenSignal extends ScreenReading {
  readonly at?: number
}

export type SignalSource = "hook" | "status-file" | "screen" | "none"

export interface SessionSignals {
  readonly hook?: HookSignal
  readonly statusFile?: StatusFileSignal
  readonly screen?: ScreenSignal
}

export interface CombinedState {
  readonly state: ScreenState
  /** When the usage limit resets, when the screen said so. */
  readonly resetAt?: Date
  readonly decidedBy: SignalSource
}

/**
 * What a hook event says about the session, or undefined when it says nothing about its state:
 * Stop, SessionStart, Notification idle_prompt -> idle; UserPromptSubmit -> busy; Notification permission_prompt
 * -> waiting; StopFailure with error rate_limit -> usage-limit, any other StopFailure -> idle (the turn ended on
 * an error and the agent is back at its prompt). Other notification types (auth_success, ...) say nothing.
 */
export const hookState = (hook: HookSignal): ScreenState | undefined => {
  switch (hook.event) {
    case "Stop":
    case "SessionStart":
      return "idle"
    case "UserPromptSubmit":
      return "busy"
    case "StopFailure":
      return hook.error === "rate_limit" ? "usage-limit" : "idle"
    case "Notification":
      if (hook.notificationType === "idle_prompt") return "idle"
      if (hook.notificationType === "permission_prompt") return "waiting"
      return undefined
  }
}

/**
 * Combines the three signals of a session (DESIGN.md "Sessions (TmuxPool)") and says which one decided.
 *
 * Strongest first: the hook, then the status file, then the screen. A hook or status file decides even when it
 * is older than the screen (the screen is a heuristic read of text), with two exceptions, both from the screen:
 *
 * 1. A screen showing `usage-limit` always wins, whatever the other signals say and however old they are: the
 *    limit matters most, and only the screen carries its reset time.
 * 2. A screen showing `shell` wins when the hook and the status file are both older than the screen (the agent
 *    exited after they were written). If either is as new as the screen or newer, the agent ran after the
 *    capture (say, a SessionStart: it was started again), so the screen is the stale one and the usual order
 *    applies. A screen without `at` counts as captured now, newer than both.
 *
 * A hook that says nothing (hookState undefined) gives way to the status file, then to the screen. A screen
 * reading `unknown` decides nothing: with no other signal the result is `unknown`, decided by `none`.
 */
export const combineSignals = (signals: SessionSignals): CombinedState => {
  const { hook, statusFile, screen } = signals

  if (screen?.state === "usage-limit") {
    return screen.resetAt === undefined
      ? { state: "usage-limit", decidedBy: "screen" }
      : { state: "usage-limit", resetAt: screen.resetAt, decidedBy: "screen" }
  }

  const fromHook = hook === undefined ? undefined : hookState(hook)
  const structured =
    fromHook !== undefined
      ? { state: fromHook, decidedBy: "hook" as const }
      : statusFile !== undefined
        ? { state: statusFile.status, decidedBy: "status-file" as const }
        : undefined

  if (screen?.state === "shell" && isOlderThanScreen(hook, screen) && isOlderThanScreen(statusFile, screen)) {
    return { state: "shell", decidedBy: "screen" }
  }
  if (structured !== undefined) return { state: structured.state, decidedBy: structured.decidedBy }
  if (screen !== undefined && screen.state !== "unknown") return { state: screen.state, decidedBy: "screen" }
  return { state: "unknown", decidedBy: "none" }
}

/** No signal, or one written before the screen was captured. */
const isOlderThanScreen = (signal: { readonly at: number } | undefined, screen: ScreenSignal): boolean =>
  signal === undefined || screen.at === undefined || signal.at < screen.at
