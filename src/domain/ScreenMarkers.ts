import { isRule, lastIndexWhere, laterLine } from "./ScreenLines.js"

// What Claude Code draws, line by line: turns in its transcript, spinners, the footer, dialogs, the input box;
// and from them the evidence that a screen is busy, waiting or idle.

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

/** A line without the `│` borders of the box Claude Code draws around a dialog. */
export const stripBox = (line: string): string =>
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
// Evidence, from the live part of the screen
// ---------------------------------------------------------------------------------------------------------

/** The spinner or footer line that shows a turn runs, or undefined. */
export const busyEvidence = (lines: readonly string[]): string | undefined => {
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

/** The dialog line that shows the agent waits for an answer, below the input box; or undefined. */
export const waitingEvidence = (lines: readonly string[]): string | undefined => {
  // A dialog replaces the input box, so only lines below the last input line/footer can be a live dialog.
  const below = lines.slice(lastInputAreaIndex(lines) + 1)
  const evidence = dialogEvidence(below)
  return evidence === undefined ? undefined : `dialog: ${evidence}`
}

/** The footer or input line of an idle input box, or undefined. */
export const idleEvidence = (lines: readonly string[]): string | undefined => {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!
    if (isIdleFooter(line)) return `input footer: ${line.trim()}`
    if (isInputLine(line, lines[i - 1])) return `input box: ${line.trim()}`
  }
  return undefined
}
