import { detectUsageLimit, usageLimitLines } from "./UsageLimit.js"

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

/** How many non-empty lines, counted from the bottom, may decide: older text higher up never does. */
export const BOTTOM_LINES = 15

// ---------------------------------------------------------------------------------------------------------
// Lines
// ---------------------------------------------------------------------------------------------------------

const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g

/**
 * The screen's non-empty lines, bottom last: ANSI sequences removed (capture-pane -e), no-break spaces (Claude
 * Code puts one after its `❯`) turned into spaces, trailing blanks (capture-pane -J keeps them) trimmed.
 */
export const screenLines = (screen: string): string[] =>
  screen
    .replace(ANSI, "")
    .split(/\r?\n/)
    .map((line) => line.replace(/\u00a0/g, " ").trimEnd())
    .filter((line) => line.trim() !== "")

/** The last `size` non-empty lines: the only part of the screen allowed to decide. */
export const bottomRegion = (lines: readonly string[], size = BOTTOM_LINES): string[] =>
  size <= 0 ? [] : lines.slice(-size)

/** A horizontal rule: Claude Code 2.x draws one above and one below its input line. */
export const isRule = (line: string): boolean => /^\s*[─━]{8,}\s*$/u.test(line)

// ---------------------------------------------------------------------------------------------------------
// Shell prompts
// ---------------------------------------------------------------------------------------------------------

// A prompt with nothing typed after it. Shell prompts start at column 0; Claude Code indents what it prints or
// starts it with a marker (●, ⏺, ❯, >, ✻, ─, │, ╭), so these shapes do not occur in its own UI.
const BARE_PROMPTS = [
  /^(?:\([\w.-]+\)\s)?[\w.-]+@[\w.-]+(?::\S*|\s+\S+)?\s?[$#%]$/, // user@host:~/x$  user@host ~ %  (venv) …
  /^(?:ba|z|k|da)?sh-[\d.]+[$#]$/, // bash-5.2$   sh-5.2#
  /^\[[^\]]+\][$#%]$/, // [user@host dir]$
  /^(?:\S+ )?[$#%]$/, // $   #   %   ~ %
  /^[A-Za-z][\w.-]*[$#%]$/, // zsh's default `host%`
  /^\S(?:.*\S)?\s+[❯➜»]$/u, // ~/proj ❯
  /^➜\s+\S+(?:\s+git:\([^)]*\))?(?:\s+✗)?$/u, // oh-my-zsh: ➜  proj git:(main) ✗
]
// A prompt with a command typed after it (the agent launch line ccl types, or anything else).
const PROMPT_WITH_COMMAND = [
  /^(?:\([\w.-]+\)\s)?[\w.-]+@[\w.-]+(?::\S*|\s+\S+)?\s?[$#%]\s+\S/,
  /^(?:ba|z|k|da)?sh-[\d.]+[$#]\s+\S/,
  /^\[[^\]]+\][$#%]\s+\S/,
  /^[$#%]\s+\S/,
]

/**
 * The last line is a shell prompt waiting for a command. A bare `❯` counts only when no rule sits right above it:
 * Claude Code's own input line is a `❯` between two rules.
 */
export const isShellPrompt = (line: string, lineAbove?: string): boolean => {
  const text = line.trimEnd()
  if (/^[❯➜»λ]$/u.test(text)) return lineAbove === undefined || !isRule(lineAbove)
  return BARE_PROMPTS.some((re) => re.test(text))
}

/** A shell prompt with a command typed on it: what follows it on screen was started by that command. */
export const isShellCommandLine = (line: string): boolean => PROMPT_WITH_COMMAND.some((re) => re.test(line))

// ---------------------------------------------------------------------------------------------------------
// Claude Code transcript structure
// ---------------------------------------------------------------------------------------------------------

// Claude Code's spinner glyphs (1.x and 2.x), and `*` which some terminals show instead.
const GLYPHS = "✻✶✳✢✽·*⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
const REPLY_MARKER = /^[●⏺]\s/u
const TRANSCRIPT_PROMPT = /^[>❯]\s+\S/u
const NUMBERED_OPTION_AT_CURSOR = /^[>❯›]\s*\d{1,2}[.)]\s/u
const DONE_LINE = new RegExp(`^[${GLYPHS}]\\s+\\S+ for \\d`, "u") // ✻ Baked for 1s, ✳ Brewed for 9m 52s
const RESUME_BANNER = /^Resumed conversation\b/

/**
 * A line that starts a new turn in the transcript: a submitted prompt (`> text` / `❯ text` at column 0 that is not
 * the input line between rules nor a menu cursor), a reply (`●` / `⏺` at column 0), or a resume banner.
 */
export const isNewTurnLine = (line: string, lineAbove?: string): boolean => {
  if (REPLY_MARKER.test(line) || RESUME_BANNER.test(line)) return true
  return (
    TRANSCRIPT_PROMPT.test(line) &&
    !NUMBERED_OPTION_AT_CURSOR.test(line) &&
    (lineAbove === undefined || !isRule(lineAbove))
  )
}

/** Claude Code's "turn finished" line: `✻ Baked for 1s`, `✻ Worked for 1m 33s`. */
export const isDoneLine = (line: string): boolean => DONE_LINE.test(line)

const lastIndexWhere = (lines: readonly string[], test: (line: string, index: number) => boolean): number => {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!, i)) return i
  return -1
}

const laterLine = (lines: readonly string[], index: number, test: (line: string, above: string) => boolean) =>
  lines.some((line, j) => j > index && test(line, lines[j - 1] ?? ""))

// ---------------------------------------------------------------------------------------------------------
// Busy
// ---------------------------------------------------------------------------------------------------------

// `✻ Working… (esc to interrupt)`, `✻ Shimmying… (102s · ⚒ 8.7k tokens · esc to interrupt)`: a spinner glyph, a verb,
// and a final bracket that offers the interrupt. Claude Code draws its spinner at column 0 (at most one space in);
// a reply quoting one is indented by two, so it never matches.
const SPINNER_INTERRUPT = new RegExp(
  `^ ?[${GLYPHS}]\\s*\\S[^()]*\\([^()]*\\besc to interrupt\\b[^()]*\\)$`,
  "u",
)
// The same without a glyph, only when the verb ends in an ellipsis: `Compacting conversation… (8s · esc to interrupt)`.
const ACTIVITY_INTERRUPT = /^ ?[A-Z][\w' -]*(?:…|\.\.\.)\s*\([^()]*\besc to interrupt\b[^()]*\)$/u
// Claude Code 2.1 moved the interrupt hint to the footer: its spinner keeps only a timer,
// `✢ Effecting… (10m 3s · ↓ 4.6k tokens · thought for 1s)`. A glyph, a verb with an ellipsis, a bracket holding
// a duration. The finished form (`✻ Baked for 1s`) has neither ellipsis nor bracket.
const SPINNER_TIMER = new RegExp(
  `^ ?[${GLYPHS}]\\s*\\S[^()]*(?:…|\\.\\.\\.)\\s*\\([^()]*\\b\\d+s\\b[^()]*\\)$`,
  "u",
)

/** A spinner or activity line: the agent is working (when nothing in the transcript follows it). */
export const isSpinnerLine = (line: string): boolean =>
  SPINNER_INTERRUPT.test(line) || ACTIVITY_INTERRUPT.test(line) || SPINNER_TIMER.test(line)

// The footer under the input box is `·`-separated segments. Its first segment is a permission mode
// (`⏵⏵ bypass permissions on (shift+tab to cycle)`, `⏸ manual mode on`, `⏵⏵ accept edits on`, `⏸ plan mode on`,
// `⏵⏵ auto mode on`; `▶▶` where the font lacks ⏵) or a hint (`? for shortcuts`, `esc to interrupt`, `← for agents`).
const MODE_SEGMENT = /^(?:⏵⏵|⏸|▶▶|⏵)\s*[a-z][a-z -]* on\b/iu
const HINT_SEGMENTS = ["? for shortcuts", "esc to interrupt", "← for agents"]

const footerSegments = (line: string): string[] | undefined => {
  const segments = line.split("·").map((s) => s.trim())
  const first = segments[0] ?? ""
  return MODE_SEGMENT.test(first) || HINT_SEGMENTS.includes(first) ? segments : undefined
}

/** The footer under the input box, whatever it says. */
export const isFooterLine = (line: string): boolean => footerSegments(line) !== undefined

/** A footer offering `esc to interrupt`: Claude Code 2.x shows it there while a turn runs. */
export const isBusyFooter = (line: string): boolean =>
  footerSegments(line)?.some((s) => /^esc to interrupt\b/.test(s)) ?? false

/** A footer of the idle input box: a mode or `? for shortcuts`, without `esc to interrupt`. */
export const isIdleFooter = (line: string): boolean => isFooterLine(line) && !isBusyFooter(line)

// ---------------------------------------------------------------------------------------------------------
// Waiting: permission prompts, questions, menus
// ---------------------------------------------------------------------------------------------------------

const stripBox = (line: string): string =>
  line
    .replace(/^\s*[│┃]\s?/u, "")
    .replace(/\s*[│┃]\s*$/u, "")
    .trim()

// `Do you want to proceed?`, `Do you want to make this edit to App.tsx?`, `Do you want to create note.txt?`,
// `(2 of 5) Do you want to proceed?`, plan mode's `Would you like to proceed?`.
const QUESTION = /^(?:\(\d+ of \d+\)\s*)?(?:Do you want to|Would you like to)\s.*\?$/
const TRUST_QUESTION = /^(?:Quick safety check:|Do you trust the files in this folder\?)/
const DENY_OPTION = /No, and tell Claude what to do differently/
const SELECTED_OPTION = /^[❯>›]\s*\d{1,2}[.)]\s+\S/u
const OPTION = /^(?:[❯>›]\s*)?\d{1,2}[.)]\s+\S/u
const ESC_TO_CANCEL = /\besc to cancel\b/i
// 2.1's start-up dialogs (bypass-permissions warning, API key, trust) end with this line, options unnumbered.
const ENTER_TO_CONFIRM = /^Enter to confirm\b/

/** The dialog line that shows the agent waits for an answer, or undefined. Lines are the live part of the screen. */
export const dialogEvidence = (lines: readonly string[]): string | undefined => {
  const texts = lines.map(stripBox)
  const find = (re: RegExp) => texts.find((t) => re.test(t))
  const options = texts.filter((t) => OPTION.test(t))
  const cancel = find(ESC_TO_CANCEL)
  return (
    find(QUESTION) ??
    find(TRUST_QUESTION) ??
    find(DENY_OPTION) ??
    find(SELECTED_OPTION) ??
    find(ENTER_TO_CONFIRM) ??
    (options.length >= 2 && cancel !== undefined ? cancel : undefined)
  )
}

// ---------------------------------------------------------------------------------------------------------
// Idle: the input box
// ---------------------------------------------------------------------------------------------------------

/**
 * A line of the input box: `❯ ` / `> ` (with or without typed text) right under a rule (2.x), or `│ > ` right
 * under the box top `╭` (1.x).
 */
export const isInputLine = (line: string, lineAbove?: string): boolean => {
  if (/^[❯>](?:\s.*)?$/u.test(line)) return lineAbove !== undefined && isRule(lineAbove)
  if (/^\s*│\s*[❯>](?:\s|$)/u.test(line)) return lineAbove !== undefined && /^\s*╭/u.test(lineAbove)
  return false
}

/** Index of the last input line or footer: a dialog is live only below it. -1 when there is none. */
const lastInputAreaIndex = (lines: readonly string[]): number => {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    if (isFooterLine(line) || isInputLine(line, lines[i - 1])) return i
  }
  return -1
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

const busyEvidence = (lines: readonly string[]): string | undefined => {
  const input = lastIndexWhere(lines, (line, i) => isInputLine(line, lines[i - 1]))
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    // Followed by a done line, a reply or a prompt: a quote or a leftover, not live activity.
    const superseded = () => laterLine(lines, i, (l, above) => isDoneLine(l) || isNewTurnLine(l, above))
    // The live footer sits below the input line; one higher up is quoted in the transcript.
    if (isBusyFooter(line) && i > input && !superseded()) return `interrupt offered in footer: ${line.trim()}`
    if (isSpinnerLine(line) && !superseded()) return `spinner: ${line.trim()}`
  }
  return undefined
}

const waitingEvidence = (lines: readonly string[]): string | undefined => {
  // A dialog replaces the input box, so only lines below the last input line/footer can be a live dialog.
  const below = lines.slice(lastInputAreaIndex(lines) + 1)
  const evidence = dialogEvidence(below)
  return evidence === undefined ? undefined : `dialog: ${evidence}`
}

const idleEvidence = (lines: readonly string[]): string | undefined => {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    if (isIdleFooter(line)) return `input footer: ${line.trim()}`
    if (isInputLine(line, lines[i - 1])) return `input box: ${line.trim()}`
  }
  return undefined
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
