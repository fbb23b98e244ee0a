import { FOOTER, firstLine, RULE, spinnerLine } from "./SimAgentLines.js"
import type { Turn } from "./SimAgentTranscript.js"

// Pure parts of `ccl sim-agent`, a stand-in for Claude Code 2.1 (DESIGN.md "Sessions (TmuxPool)"): screen
// rendering here; the strings a screen classifier matches, keyboard decoding, the prompt input and transcript
// entries in their own files, re-exported so that importers read them all from here.

/** Claude Code's project folder name: the cwd with every character outside [A-Za-z0-9] replaced by `-`. */
export { projectSlug } from "./ProjectSlug.js"
export * from "./SimAgentInput.js"
export * from "./SimAgentLines.js"
export * from "./SimAgentPromptInput.js"
export * from "./SimAgentTranscript.js"

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
