import { type CommandSpec, choicesOf, findOption, type OptionSpec } from "./CommandSpec.js"

// A first look at argv, before @effect/cli parses it: @effect/cli reads an unknown `--flag` as a positional
// argument (`queue add --bogus` would add a file named --bogus) and names no flag in its value errors.

/** What the command line asks for; `path` is the command's names below the root (`["queue", "add"]`). */
export type CommandLine =
  | { readonly _tag: "Run"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Help"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Version" }
  | { readonly _tag: "Completions"; readonly shell: string }
  | { readonly _tag: "Wizard"; readonly path: ReadonlyArray<string> }
  | { readonly _tag: "Bad"; readonly path: ReadonlyArray<string>; readonly message: string }

const BOOLEAN_WORDS = new Set(["true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"])

const distance = (a: string, b: string) => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

/** The closest of `names` to a mistyped `word` (a prefix of it, or at most 2 edits away). */
const closest = (word: string, names: ReadonlyArray<string>) =>
  names
    .map((name) => ({ name, d: name.startsWith(word) && word.length > 2 ? 0 : distance(word, name) }))
    .filter((c) => c.d <= 2)
    .sort((x, y) => x.d - y.d)[0]?.name

/** `ccl queue add` as a person types it, for "see ... --help". */
export const commandName = (path: ReadonlyArray<string>) => ["ccl", ...path].join(" ")

const seeHelp = (path: ReadonlyArray<string>) => `see ${commandName(path)} --help`

/** Why a value does not fit its option, or undefined when it does (free text is @effect/cli's to check). */
const badValue = (option: OptionSpec, flag: string, value: string) => {
  const { value: kind } = option
  if (kind === "integer" && !/^[+-]?\d+$/.test(value)) return `${flag}: "${value}" is not an integer`
  if (kind === "float" && (value.trim() === "" || !Number.isFinite(Number(value)))) {
    return `${flag}: "${value}" is not a number`
  }
  const choices = choicesOf(option)
  if (choices !== undefined && !choices.includes(value)) {
    return `${flag}: "${value}" is not one of ${choices.join(", ")}`
  }
  return undefined
}

/** Walks argv down the command tree: the command it names, and the first thing wrong with it. */
export const checkCommandLine = (root: CommandSpec, argv: ReadonlyArray<string>): CommandLine => {
  let command = root
  const path: Array<string> = []
  let problem: string | undefined
  const note = (message: string) => {
    problem ??= message
  }
  let help = false
  let version = false
  let wizard = false
  let completions: string | undefined
  const positionals: Array<string> = []
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!
    if (word === "--") {
      positionals.push(...argv.slice(i + 1))
      break
    }
    const looksLikeFlag = word.startsWith("-") && word !== "-" && !/^-\d/.test(word)
    if (looksLikeFlag) {
      const option = findOption(command, word)
      const flag = word.split("=")[0]!
      if (option === undefined) {
        const known = command.options.flatMap((o) => o.names.filter((n) => n.startsWith("--")))
        const guess = closest(flag, known)
        note(
          `unknown flag ${flag}${guess === undefined ? "" : `; did you mean ${guess}?`} (${seeHelp(path)})`,
        )
        continue
      }
      const main = option.names[0]
      help ||= main === "--help"
      version ||= main === "--version"
      wizard ||= main === "--wizard"
      let value: string | undefined = word.includes("=") ? word.slice(word.indexOf("=") + 1) : undefined
      if (value === undefined && option.kind === "value") {
        if (i + 1 >= argv.length) {
          note(`${flag} needs a value (${option.placeholder}) (${seeHelp(path)})`)
          continue
        }
        value = argv[++i]!
      } else if (value === undefined && BOOLEAN_WORDS.has(argv[i + 1]?.toLowerCase() ?? "")) {
        value = argv[++i]!
      }
      if (value !== undefined && option.kind === "value") {
        const bad = badValue(option, flag, value)
        if (bad !== undefined) note(bad)
        if (main === "--completions") completions = value
      }
      continue
    }
    if (command.children.length > 0) {
      const child = command.children.find((c) => c.name === word)
      if (child !== undefined) {
        command = child
        path.push(word)
        continue
      }
      const names = command.children.map((c) => c.name)
      const guess = closest(word, names)
      note(
        `unknown command "${word}"${guess === undefined ? "" : `; did you mean ${guess}?`} ` +
          `(${commandName(path)} commands: ${names.join(", ")})`,
      )
    } else positionals.push(word)
  }
  const most = command.args.some((a) => a.repeated) ? Number.POSITIVE_INFINITY : command.args.length
  if (positionals.length > most) note(`unexpected argument "${positionals[most]}" (${seeHelp(path)})`)
  if (version) return { _tag: "Version" }
  if (help) return { _tag: "Help", path }
  if (problem !== undefined) return { _tag: "Bad", path, message: problem }
  if (completions !== undefined) return { _tag: "Completions", shell: completions }
  if (wizard) return { _tag: "Wizard", path }
  // A command group alone (`ccl queue`) has nothing to run: its help lists what it has.
  if (command.children.length > 0) return { _tag: "Help", path }
  return { _tag: "Run", path }
}
