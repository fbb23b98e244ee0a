// `ccl sim-agent`'s prompt input: typed text and pastes (long ones collapsed, as Claude Code does), edited by keys.

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
