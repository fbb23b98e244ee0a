// Pure parts of `ccl sim-agent`, a stand-in for Claude Code 2.1 (DESIGN.md "Sessions (TmuxPool)"): the strings a
// screen classifier matches, keyboard decoding, the prompt input, screen rendering and transcript entries.

// ── Strings ccl and its screen classifier look for ───────────────────────────────────────────────────────────

export const RULE = "─".repeat(60)
export const FOOTER = "  ? for shortcuts"
export const LIMIT_LINE = "You've hit your limit · resets 8pm (Europe/Paris)"
export const UPGRADE_LINE = "/upgrade to increase your usage limit."
export const INTERRUPTED_REPLY = "Interrupted by user"
export const SPINNER_FRAMES = ["✻", "✶", "✳", "✢", "·"] as const

export const spinnerLine = (frame: number): string =>
  `${SPINNER_FRAMES[frame % SPINNER_FRAMES.length]} Working… (esc to interrupt)`

/** The summary under a finished turn: its duration rounded up to whole seconds (at least 1s). */
export const bakedLine = (ms: number): string => `✻ Baked for ${Math.max(1, Math.ceil(ms / 1000))}s`

export const resumedLine = (sessionId: string, messages: number, configDir: string): string =>
  `Resumed conversation ${sessionId} (${messages} messages) under ${configDir}`

export const noConversationLine = (sessionId: string): string =>
  `No conversation found with session ID: ${sessionId}`

/** Claude Code's project folder name: the cwd with every character outside [A-Za-z0-9] replaced by `-`. */
export { projectSlug } from "./ProjectSlug.js"

export const firstLine = (text: string): string => text.split(/\r\n|\r|\n/)[0] ?? ""

/** The simulated answer: the prompt's first line, cut to 60 characters (code points, not UTF-16 units). */
export const replyFor = (prompt: string): string =>
  `Done: ${Array.from(firstLine(prompt)).slice(0, 60).join("")}`

// ── Keyboard: raw terminal input to keys ─────────────────────────────────────────────────────────────────────

export type Key =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Paste"; readonly text: string }
  | { readonly _tag: "Enter" }
  | { readonly _tag: "Newline" }
  | { readonly _tag: "Backspace" }
  | { readonly _tag: "CtrlC" }
  | { readonly _tag: "CtrlD" }
  | { readonly _tag: "Escape" }

/**
 * What a read left unfinished: an escape sequence cut at the end of a chunk (`pending`), or the text of a
 * bracketed paste whose end marker has not arrived yet (`paste`).
 */
export interface InputDecoder {
  readonly pending: string
  readonly paste: string | undefined
}

export interface Decoded {
  readonly decoder: InputDecoder
  readonly keys: ReadonlyArray<Key>
}

export const emptyDecoder: InputDecoder = { pending: "", paste: undefined }

const ESC = "\x1b"
const PASTE_START = "\x1b[200~"
const PASTE_END = "\x1b[201~"

const CONTROL_KEYS: Record<string, Key> = {
  "\r": { _tag: "Enter" },
  "\n": { _tag: "Newline" },
  "\x7f": { _tag: "Backspace" },
  "\b": { _tag: "Backspace" },
  "\x03": { _tag: "CtrlC" },
  "\x04": { _tag: "CtrlD" },
}

/** Terminals send a pasted newline as CR (tmux paste-buffer too); the prompt keeps it as LF. */
const normalizeNewlines = (text: string): string => text.replace(/\r\n?/g, "\n")

/** Length of the longest suffix of `s` that is a proper prefix of `marker`: a marker possibly cut by a read. */
const cutMarkerLength = (s: string, marker: string): number => {
  for (let n = Math.min(s.length, marker.length - 1); n > 0; n--) {
    if (marker.startsWith(s.slice(s.length - n))) return n
  }
  return 0
}

/**
 * How many characters the escape sequence at the start of `s` takes and whether it is the Escape key,
 * or undefined when it may still be incomplete (more input, or the flush timeout, decides).
 */
const escapeSequence = (s: string): { readonly length: number; readonly escape: boolean } | undefined => {
  if (s.length === 1) return undefined
  const second = s[1]!
  if (second === ESC) return { length: 1, escape: true }
  if (second === "[") {
    // CSI: parameters, then one final byte in @..~ (arrows, function keys, focus events).
    for (let i = 2; i < s.length; i++) {
      const code = s.charCodeAt(i)
      if (code >= 0x40 && code <= 0x7e) return { length: i + 1, escape: false }
    }
    return undefined
  }
  if (second === "O") return s.length < 3 ? undefined : { length: 3, escape: false }
  // Alt+key: ESC then the key; neither is typed.
  return { length: 2, escape: false }
}

/** Decodes one read of raw terminal input (already UTF-8 decoded) into keys. */
export const decodeInput = (decoder: InputDecoder, chunk: string): Decoded => {
  const s = decoder.pending + chunk
  const keys: Array<Key> = []
  let paste = decoder.paste
  let text = ""
  const flushText = () => {
    if (text !== "") keys.push({ _tag: "Text", text })
    text = ""
  }
  let i = 0
  while (i < s.length) {
    if (paste !== undefined) {
      // Inside a paste everything is literal until the end marker, which a read may cut in two.
      const end = s.indexOf(PASTE_END, i)
      if (end === -1) {
        const keep = cutMarkerLength(s.slice(i), PASTE_END)
        return {
          decoder: { pending: s.slice(s.length - keep), paste: paste + s.slice(i, s.length - keep) },
          keys,
        }
      }
      keys.push({ _tag: "Paste", text: normalizeNewlines(paste + s.slice(i, end)) })
      paste = undefined
      i = end + PASTE_END.length
      continue
    }
    const c = s[i]!
    if (c === ESC) {
      flushText()
      const rest = s.slice(i)
      if (rest.startsWith(PASTE_START)) {
        paste = ""
        i += PASTE_START.length
        continue
      }
      const seq = escapeSequence(rest)
      if (seq === undefined) return { decoder: { pending: rest, paste: undefined }, keys }
      if (seq.escape) keys.push({ _tag: "Escape" })
      i += seq.length
      continue
    }
    const control = CONTROL_KEYS[c]
    if (control !== undefined) {
      flushText()
      keys.push(control)
    } else if (c >= " ") {
      text += c
    }
    // Other C0 controls (tab, ctrl letters) do nothing here.
    i++
  }
  flushText()
  return { decoder: { pending: "", paste }, keys }
}

/**
 * Called when no more input followed an unfinished read: a lone ESC was the Escape key; a cut sequence is
 * dropped. An open paste keeps waiting for its end marker.
 */
export const flushInput = (decoder: InputDecoder): Decoded => {
  if (decoder.paste !== undefined || decoder.pending === "") return { decoder, keys: [] }
  const keys: ReadonlyArray<Key> = decoder.pending === ESC ? [{ _tag: "Escape" }] : []
  return { decoder: emptyDecoder, keys }
}

// ── Prompt input ─────────────────────────────────────────────────────────────────────────────────────────────

/** Typed text, or a collapsed paste shown as `[Pasted text #N +M lines]` and sent in full. */
export interface Segment {
  readonly text: string
  readonly pasteId?: number
}

export type PromptInput = ReadonlyArray<Segment>

export const emptyInput: PromptInput = []

/** Claude Code collapses a paste longer than 800 characters or with more than 2 line breaks. */
export const PASTE_THRESHOLD = 800
export const PASTE_MAX_NEWLINES = 2

export const countNewlines = (text: string): number => (text.match(/\r\n|\r|\n/g) ?? []).length

export const shouldCollapsePaste = (text: string): boolean =>
  text.length > PASTE_THRESHOLD || countNewlines(text) > PASTE_MAX_NEWLINES

/** Claude Code's placeholder: M counts line breaks, so "a\nb\nc\nd" is `+3 lines`. */
export const pastePlaceholder = (id: number, text: string): string => {
  const lines = countNewlines(text)
  return lines === 0 ? `[Pasted text #${id}]` : `[Pasted text #${id} +${lines} lines]`
}

export const typeText = (input: PromptInput, text: string): PromptInput => {
  const last = input[input.length - 1]
  if (last !== undefined && last.pasteId === undefined)
    return [...input.slice(0, -1), { text: last.text + text }]
  return [...input, { text }]
}

/** A paste: collapsed behind a placeholder when long, else typed as it is. */
export const pasteText = (input: PromptInput, text: string, pasteId: number): PromptInput =>
  shouldCollapsePaste(text) ? [...input, { text, pasteId }] : typeText(input, text)

/** Backspace: the last character, or a whole collapsed paste. */
export const eraseLast = (input: PromptInput): PromptInput => {
  const last = input[input.length - 1]
  if (last === undefined) return input
  const kept = last.pasteId === undefined ? Array.from(last.text).slice(0, -1).join("") : ""
  return kept === "" ? input.slice(0, -1) : [...input.slice(0, -1), { text: kept }]
}

/** The full text that Enter submits. */
export const inputText = (input: PromptInput): string => input.map((s) => s.text).join("")

/** The text shown in the prompt box. */
export const inputDisplay = (input: PromptInput): string =>
  input.map((s) => (s.pasteId === undefined ? s.text : pastePlaceholder(s.pasteId, s.text))).join("")

/** True when the input ends with a typed backslash: Enter then inserts a newline instead of submitting. */
export const endsWithBackslash = (input: PromptInput): boolean => {
  const last = input[input.length - 1]
  return last !== undefined && last.pasteId === undefined && last.text.endsWith("\\")
}

/** Backslash + Enter: the backslash becomes a newline. */
export const backslashToNewline = (input: PromptInput): PromptInput => typeText(eraseLast(input), "\n")

// ── Screen ───────────────────────────────────────────────────────────────────────────────────────────────────

/** One exchange on screen: the prompt and the reply lines (none while the turn runs). */
export interface Turn {
  readonly prompt: string
  readonly reply: ReadonlyArray<string>
}

export interface ScreenView {
  /** The `Resumed conversation ...` line of a resumed conversation. */
  readonly header: string | undefined
  readonly turns: ReadonlyArray<Turn>
  /** `✻ Baked for Ns` under the last finished turn. */
  readonly summary: string | undefined
  /** Spinner frame while a turn runs; the last turn is the running one. */
  readonly spinnerFrame: number | undefined
  /** The prompt box's content (`inputDisplay`). */
  readonly input: string
}

const transcriptLines = (view: ScreenView): Array<string> => {
  const lines: Array<string> = view.header === undefined ? [] : [view.header, ""]
  for (const turn of view.turns) {
    lines.push(`> ${firstLine(turn.prompt)}`)
    for (const [i, line] of turn.reply.entries()) lines.push(i === 0 ? `● ${line}` : `  ${line}`)
    lines.push("")
  }
  return lines
}

const promptBox = (input: string): Array<string> => {
  const [first = "", ...more] = input.split("\n")
  return [RULE, `> ${first}`, ...more.map((line) => `  ${line}`), RULE, FOOTER]
}

/** Terminal rows a line takes once wrapped at `cols` (one cell per code point: good enough here). */
const rowsOf = (line: string, cols: number): number => Math.max(1, Math.ceil(Array.from(line).length / cols))

/** Keeps the last lines that fit in `rows`, so a redraw never scrolls the terminal. */
const fitRows = (lines: ReadonlyArray<string>, rows: number, cols: number): ReadonlyArray<string> => {
  let used = 0
  let start = lines.length
  while (start > 0 && used + rowsOf(lines[start - 1]!, cols) <= rows) {
    start--
    used += rowsOf(lines[start]!, cols)
  }
  return lines.slice(start)
}

/**
 * The screen as lines. Idle: transcript, summary, prompt box and footer. Busy: transcript and the spinner
 * line only, so the busy and idle screens never share their markers (`esc to interrupt`, `? for shortcuts`).
 */
export const renderScreen = (view: ScreenView, size: { readonly rows: number; readonly cols: number }) => {
  const lines = transcriptLines(view)
  if (view.spinnerFrame !== undefined) lines.push(spinnerLine(view.spinnerFrame))
  else {
    if (view.summary !== undefined) lines.push(view.summary, "")
    lines.push(...promptBox(view.input))
  }
  return fitRows(lines, Math.max(1, size.rows), Math.max(1, size.cols))
}

// ── Transcript JSONL ─────────────────────────────────────────────────────────────────────────────────────────

export interface EntryContext {
  readonly sessionId: string
  readonly cwd: string
  readonly timestamp: string
}

export const userEntry = (c: EntryContext, content: string) => ({
  type: "user",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  message: { role: "user", content },
})

export const assistantEntry = (c: EntryContext, text: string) => ({
  type: "assistant",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  message: { role: "assistant", content: [{ type: "text", text }] },
})

/** How Claude Code records a usage-limit hit in the transcript. */
export const limitEntry = (c: EntryContext) => ({
  type: "assistant",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  isApiErrorMessage: true,
  error: "rate_limit",
  message: { role: "assistant", content: [{ type: "text", text: LIMIT_LINE }] },
})

const parseLine = (line: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** A message's text: a string, or the text blocks of a content array. */
const contentText = (message: unknown): string | undefined => {
  const content = (message as { content?: unknown } | undefined)?.content
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return undefined
  const texts = content.flatMap((b: { type?: unknown; text?: unknown }) =>
    b?.type === "text" && typeof b.text === "string" ? [b.text] : [],
  )
  return texts.length === 0 ? undefined : texts.join("\n")
}

/**
 * The turns of a transcript, to show a resumed conversation, and how many user and assistant messages it holds.
 * API error entries (a usage-limit hit) count as messages but are not shown: a resumed screen must not look
 * like a fresh limit hit. Unreadable lines are skipped.
 */
export const turnsFromTranscript = (
  jsonl: string,
): { readonly turns: ReadonlyArray<Turn>; readonly messages: number } => {
  const turns: Array<Turn> = []
  let messages = 0
  for (const line of jsonl.split("\n")) {
    const entry = parseLine(line)
    if (entry === undefined || (entry.type !== "user" && entry.type !== "assistant")) continue
    messages++
    const text = contentText(entry.message)
    if (text === undefined || entry.isApiErrorMessage === true) continue
    const last = turns[turns.length - 1]
    if (entry.type === "user") turns.push({ prompt: text, reply: [] })
    else if (last !== undefined)
      turns[turns.length - 1] = { ...last, reply: [...last.reply, ...text.split("\n")] }
  }
  return { turns, messages }
}
