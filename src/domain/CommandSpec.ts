// The command tree as plain data: what the argv check, the help text and the completion script read. Built
// from @effect/cli's descriptors (programs/cli/commandSpecOf.ts), so a new command needs nothing here.

export interface OptionSpec {
  /** `--name` first, then aliases (`-n`). */
  readonly names: ReadonlyArray<string>
  /** A flag stands alone (or takes `true`/`false`); any other option takes the next word. */
  readonly kind: "flag" | "value"
  /** What the value is: `integer`, `float`, the choices, or free text (checked by @effect/cli later). */
  readonly value: "integer" | "float" | "text" | ReadonlyArray<string>
  /** How help shows the value (`TEXT`, `INTEGER`, `low|medium|high`). */
  readonly placeholder: string
  readonly description: string
  readonly optional: boolean
  /** May be given more than once. */
  readonly repeated: boolean
}

export interface ArgSpec {
  readonly name: string
  readonly description: string
  readonly optional: boolean
  readonly repeated: boolean
}

export interface CommandSpec {
  readonly name: string
  readonly description: string
  readonly options: ReadonlyArray<OptionSpec>
  readonly args: ReadonlyArray<ArgSpec>
  readonly children: ReadonlyArray<CommandSpec>
}

const builtIn = (
  names: ReadonlyArray<string>,
  value: OptionSpec["value"] | "flag",
  placeholder: string,
  description: string,
): OptionSpec => ({
  names,
  kind: value === "flag" ? "flag" : "value",
  value: value === "flag" ? "text" : value,
  placeholder,
  description,
  optional: true,
  repeated: false,
})

/** Options @effect/cli gives every command: help, version, wizard, completions, log level. */
export const BUILT_IN_OPTIONS: ReadonlyArray<OptionSpec> = [
  builtIn(["--help", "-h"], "flag", "", "show the help of ccl or of any command"),
  builtIn(["--version"], "flag", "", "print ccl's version"),
  builtIn(["--wizard"], "flag", "", "build the command step by step (needs a terminal)"),
  builtIn(
    ["--completions"],
    ["bash", "sh", "fish", "zsh"],
    "SHELL",
    "print a completion script (bash: as ccl completion bash)",
  ),
  builtIn(
    ["--log-level"],
    ["all", "trace", "debug", "info", "warning", "error", "fatal", "none"],
    "LEVEL",
    "minimum level of log lines",
  ),
]

/** The values an option accepts, when it is a choice. */
export const choicesOf = (option: OptionSpec): ReadonlyArray<string> | undefined =>
  typeof option.value === "string" ? undefined : option.value

/** The command at `path` (names from the root's children down); undefined when there is none. */
export const commandAt = (root: CommandSpec, path: ReadonlyArray<string>): CommandSpec | undefined => {
  let at: CommandSpec | undefined = root
  for (const name of path) at = at?.children.find((c) => c.name === name)
  return at
}

/** The option `word` names (`--json`, `-h`, or `--every=2s`'s flag part), if the command has it. */
export const findOption = (command: CommandSpec, word: string): OptionSpec | undefined => {
  const flag = word.startsWith("--") ? word.split("=")[0]! : word
  return [...command.options, ...BUILT_IN_OPTIONS].find((o) => o.names.includes(flag))
}
