import {
  BOTTOM_LINES,
  bottomRegion,
  isShellCommandLine,
  isShellPrompt,
  lastIndexWhere,
  laterLine,
  screenLines,
} from "./ScreenLines.js"
import {
  busyEvidence,
  idleEvidence,
  isInputLine,
  isNewTurnLine,
  stripBox,
  waitingEvidence,
} from "./ScreenMarkers.js"
import { detectUsageLimit, usageLimitLines } from "./UsageLimit.js"

// The line helpers and markers live in ScreenLines.ts and ScreenMarkers.ts; importers keep reading them here.
export {
  BOTTOM_LINES,
  bottomRegion,
  isRule,
  isShellCommandLine,
  isShellPrompt,
  screenLines,
} from "./ScreenLines.js"
export {
  dialogEvidence,
  isBusyFooter,
  isDoneLine,
  isFooterLine,
  isIdleFooter,
  isInputLine,
  isNewTurnLine,
  isSpinnerLine,
} from "./ScreenMarkers.js"

/**
 * What a Claude Code pane shows, read from its screen alone (DESIGN.md "Sessions (TmuxPool)", signal 3).
 * The screen is the weakest of the three signals: SessionSignals.ts combines it with hooks and the status file.
 */
export type ScreenState = "idle" | "busy" | "waiting" | "usage-limit" | "shell" | "unknown"

export interface ScreenReading {
  readonly state: ScreenState
  /** When the usage limit resets, for `usage-limit` when the screen says so. */
  readonly resetAt?: Date
  /** The line or rule that decided, for logs. */
  readonly evidence: string
}

// ---------------------------------------------------------------------------------------------------------
// The classifier
// ---------------------------------------------------------------------------------------------------------

const reading = (state: ScreenState, evidence: string, resetAt?: Date): ScreenReading =>
  resetAt === undefined ? { state, evidence } : { state, evidence, resetAt }

/**
 * The part of the bottom region the live program drew. When a shell prompt with a typed command sits in it (ccl
 * typing `claude --resume …` after the previous agent exited), everything above that line is a dead frame, and
 * `command` is that line; `lines` is empty when the program has drawn nothing yet.
 */
const liveLines = (lines: readonly string[]): { lines: string[]; command?: string } => {
  const bottom = bottomRegion(lines)
  for (let i = bottom.length - 1; i >= 0; i--) {
    if (isShellCommandLine(bottom[i]!)) return { lines: bottom.slice(i + 1), command: bottom[i]!.trim() }
  }
  return { lines: bottom }
}

// What Claude Code 2.1.332 draws while it waits at a limit, below its input box (the footer) or instead of it (the
// weekly menu). Live UI, never part of the transcript: a `--resume` does not redraw it.
const LIVE_LIMIT = [
  /^⚠\s*Usage limit reached\b/u,
  /^Continuing automatically at\b.*\bEsc to cancel\b/,
  /^(?:[❯>›]\s*)?\d[.)]\s+Stop and wait for limit to reset\b/u,
]

/** The part of the lines below the last input line: live UI (footer, menus), not the transcript. */
const belowInput = (lines: readonly string[]): string[] =>
  lines.slice(lastIndexWhere(lines, (line, i) => isInputLine(line, lines[i - 1])) + 1)

const liveLimitEvidence = (lines: readonly string[]): string | undefined =>
  belowInput(lines)
    .map(stripBox)
    .find((line) => LIVE_LIMIT.some((re) => re.test(line)))

/** Limit-hit lines in the transcript part of the lines (above the input box). */
const transcriptLimitLines = (lines: readonly string[], now: number, localZone: string) => {
  const input = lastIndexWhere(lines, (line, i) => isInputLine(line, lines[i - 1]))
  return usageLimitLines((input < 0 ? lines : lines.slice(0, input)).join("\n"), now, localZone).length
}

/**
 * How many limit-hit lines the deciding part of a screen shows in its transcript: what a caller records when it
 * launches, resumes or prompts an agent, and passes back as `limitLinesBefore` so that those lines stay history.
 */
export const limitLineCount = (screen: string): number =>
  transcriptLimitLines(liveLines(screenLines(screen)).lines, 0, "UTC")

const usageLimitReading = (lines: readonly string[], now: number, localZone: string, before: number) => {
  const hit = detectUsageLimit(lines.join("\n"), now, localZone)
  if (hit === undefined) return undefined
  const live = liveLimitEvidence(lines)
  if (live !== undefined) return reading("usage-limit", `usage limit (live): ${live}`, hit.resetAt)
  // No more hit lines than when the agent was launched, resumed or last prompted: they are history.
  if (transcriptLimitLines(lines, now, localZone) <= before) return undefined
  const at = lastIndexWhere(lines, (line) => line.includes(hit.line))
  // A new prompt, reply or resume after the hit means the conversation went on: the hit is history.
  if (at >= 0 && laterLine(lines, at, isNewTurnLine)) return undefined
  return reading("usage-limit", `usage limit: ${hit.line}`, hit.resetAt)
}

export interface ClassifyOptions {
  /**
   * limitLineCount of the screen when the agent was launched, resumed or last prompted: that many limit lines in
   * the transcript are history (a `--resume` redraws the old hit). Live limit UI counts whatever this says.
   */
  readonly limitLinesBefore?: number
}

/**
 * Classifies `tmux capture-pane -p -J` text of a Claude Code pane. Only the bottom BOTTOM_LINES non-empty lines
 * decide. Rules, first match wins:
 *
 * 1. blank screen -> unknown.
 * 2. the last line is a shell prompt with nothing typed (`user@host:~/x$`, `$`, `%`, `#`, `~/x ❯`, a bare `❯`
 *    not under a rule) -> shell. Whatever Claude Code drew above it is a dead frame: the agent has exited, even if
 *    that frame shows a limit or a spinner.
 * 3. a shell prompt with a typed command in the bottom region: only what is drawn below it counts; nothing below
 *    -> unknown (a command such as the agent launch is starting).
 * 4. usage-limit, with resetAt: 2.1.332's live limit UI below the input box (`⚠ Usage limit reached`,
 *    `Continuing automatically at … · Esc to cancel`, the weekly menu's `1. Stop and wait for limit to reset`); or
 *    a hit line (detectUsageLimit) in the transcript not followed by a new prompt/reply/resume, when the
 *    transcript holds more hit lines than `options.limitLinesBefore` (what was there before is history).
 * 5. `esc to interrupt` in the footer, or a spinner line (`✻ Working… (esc to interrupt)`, any glyph and verb,
 *    with or without `(12s · ↓ 300 tokens · …)`, or 2.1's timer-only `✢ Verb… (12s · ↓ 1k tokens)`) not followed
 *    by a done line/reply/prompt -> busy.
 * 6. below the last input line/footer: a permission or question prompt (`Do you want to proceed?`,
 *    `Do you want to make this edit to …?`, `❯ 1. Yes`, `No, and tell Claude what to do differently`, the trust
 *    question, numbered options with `Esc to cancel`) -> waiting.
 * 7. the input box: `? for shortcuts`, a mode footer (`⏵⏵ bypass permissions on (shift+tab to cycle)`,
 *    `⏸ manual mode on`, …), or the `❯`/`>` input line under a rule (or inside the 1.x `╭│╰` box) -> idle.
 * 8. anything else -> unknown.
 *
 * `now` (epoch ms) and `localZone` resolve the reset time, as in detectUsageLimit.
 */
export const classifyScreen = (
  screen: string,
  now: number,
  localZone: string,
  options: ClassifyOptions = {},
): ScreenReading => {
  const all = screenLines(screen)
  const last = all.at(-1)
  if (last === undefined) return reading("unknown", "blank screen")
  if (isShellPrompt(last, all.at(-2))) return reading("shell", `shell prompt: ${last.trim()}`)

  const live = liveLines(all)
  if (live.command !== undefined && live.lines.length === 0) {
    return reading("unknown", `command typed at a shell prompt: ${live.command}`)
  }
  const lines = live.lines

  const limit = usageLimitReading(lines, now, localZone, options.limitLinesBefore ?? 0)
  if (limit !== undefined) return limit
  const busy = busyEvidence(lines)
  if (busy !== undefined) return reading("busy", busy)
  const waiting = waitingEvidence(lines)
  if (waiting !== undefined) return reading("waiting", waiting)
  const idle = idleEvidence(lines)
  if (idle !== undefined) return reading("idle", idle)
  return reading("unknown", `no Claude Code or shell marker in the bottom ${BOTTOM_LINES} lines`)
}
