import { commandName } from "./CommandLineCheck.js"
import { BUILT_IN_OPTIONS, type CommandSpec, type OptionSpec } from "./CommandSpec.js"

// `ccl ... --help`: plain text that fits a terminal (80 columns unless told), the full command in USAGE,
// bold headings only when colour is wanted.

export interface HelpOptions {
  readonly width: number
  readonly color: boolean
  readonly version: string
}

/** Words of `text` in lines of at most `width` (a longer word gets a line of its own). */
export const wrapWords = (words: ReadonlyArray<string>, width: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of words) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines
}

const words = (text: string) => text.split(/\s+/).filter((w) => w !== "")

const optionUsage = (o: OptionSpec) => {
  const value = o.kind === "value" ? ` ${o.placeholder}` : ""
  const one = `${o.names[0]}${value}${o.repeated ? "..." : ""}`
  return o.optional ? `[${one}]` : one
}

/** `ccl queue add [--text TEXT] ... [<FILE>]`, wrapped under the command's name. */
const usageLines = (path: ReadonlyArray<string>, command: CommandSpec, width: number) => {
  const head = commandName(path)
  const parts =
    command.children.length > 0
      ? ["<command>", ...command.options.map(optionUsage), "[options]"]
      : [
          ...command.options.map(optionUsage),
          ...command.args.map((a) => {
            const one = `<${a.name}>${a.repeated ? "..." : ""}`
            return a.optional ? `[${one}]` : one
          }),
        ]
  // Continuation lines start under the first option, so the command's name stands out.
  const indent = " ".repeat(Math.min(head.length + 3, 24))
  const lines: Array<string> = []
  let line = `  ${head}`
  for (const part of parts) {
    if (line.length + 1 + part.length > width && line.trim() !== head) {
      lines.push(line)
      line = indent + part
    } else line = `${line} ${part}`
  }
  return [...lines, line]
}

/** Two columns: a term, and its text wrapped beside it (or below it when the term is too wide). */
const definitions = (rows: ReadonlyArray<readonly [string, string]>, width: number) => {
  const column = Math.min(Math.max(...rows.map(([term]) => term.length)) + 4, 30)
  return rows.flatMap(([term, text]) => {
    const body = wrapWords(words(text), width - column)
    if (term.length + 4 > column) {
      return [`  ${term}`, ...body.map((l) => " ".repeat(column) + l)]
    }
    const [first = "", ...more] = body
    return [`  ${term.padEnd(column - 2)}${first}`.trimEnd(), ...more.map((l) => " ".repeat(column) + l)]
  })
}

const optionTerm = (o: OptionSpec) => {
  const [main, ...aliases] = o.names
  const names = [...aliases, main].join(", ")
  return o.kind === "value" ? `${names} ${o.placeholder}` : names
}

/** The help of `command`, found at `path` (its names below `ccl`). */
export const helpText = (path: ReadonlyArray<string>, command: CommandSpec, options: HelpOptions): string => {
  const heading = (text: string) => (options.color ? `\x1b[1m${text}\x1b[0m` : text)
  const width = Math.max(40, options.width)
  const title = path.length === 0 ? `ccl ${options.version}` : commandName(path)
  const sections: Array<Array<string>> = [
    wrapWords(words(`${title}: ${command.description}`), width),
    [heading("USAGE"), ...usageLines(path, command, width)],
  ]
  if (command.children.length > 0) {
    sections.push([
      heading("COMMANDS"),
      ...definitions(
        command.children.map((c) => [c.name, c.description]),
        width,
      ),
    ])
  }
  if (command.args.length > 0) {
    sections.push([
      heading("ARGUMENTS"),
      ...definitions(
        command.args.map((a) => [`<${a.name}>`, a.description]),
        width,
      ),
    ])
  }
  if (command.options.length > 0) {
    sections.push([
      heading("OPTIONS"),
      ...definitions(
        command.options.map((o) => [optionTerm(o), o.description]),
        width,
      ),
    ])
  }
  if (path.length === 0) {
    sections.push([
      heading("GLOBAL OPTIONS"),
      ...definitions(
        BUILT_IN_OPTIONS.map((o) => [optionTerm(o), o.description]),
        width,
      ),
    ])
  }
  if (command.children.length > 0) {
    const example = path.length === 0 ? "ccl COMMAND --help" : `${commandName(path)} COMMAND --help`
    sections.push([`Each command has its own help: ${example}`])
  }
  return sections.map((s) => s.join("\n")).join("\n\n")
}
