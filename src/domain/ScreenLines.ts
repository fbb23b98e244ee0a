// A screen capture as lines, and the shell prompts that show no agent runs in the pane.

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

/**
 * The screen as plain text for a person to read (the dashboard): ANSI sequences and other control bytes removed
 * (tabs and newlines kept), trailing blanks trimmed; every line kept, empty ones too.
 */
export const plainScreen = (screen: string): string =>
  screen
    .replace(ANSI, "")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "")
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n")
    .trimEnd()

/** The last `size` non-empty lines: the only part of the screen allowed to decide. */
export const bottomRegion = (lines: readonly string[], size = BOTTOM_LINES): string[] =>
  size <= 0 ? [] : lines.slice(-size)

/** A horizontal rule: Claude Code 2.x draws one above and one below its input line. */
export const isRule = (line: string): boolean => /^\s*[─━]{8,}\s*$/u.test(line)

/** Index of the last line that passes `test`, or -1. */
export const lastIndexWhere = (
  lines: readonly string[],
  test: (line: string, index: number) => boolean,
): number => {
  for (let i = lines.length - 1; i >= 0; i--) if (test(lines[i]!, i)) return i
  return -1
}

/** Whether a line after `index` passes `test` (given the line above it). */
export const laterLine = (
  lines: readonly string[],
  index: number,
  test: (line: string, above: string) => boolean,
) => lines.some((line, j) => j > index && test(line, lines[j - 1] ?? ""))

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
