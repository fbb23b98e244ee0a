import { BUILT_IN_OPTIONS, type CommandSpec, choicesOf } from "./CommandSpec.js"

// `ccl completion bash`: a completion script generated from the command tree. @effect/cli's own
// (`--completions bash`) stops at the second level: `ccl queue add --pr<TAB>` found nothing.

interface Entry {
  readonly path: string
  readonly command: CommandSpec
}

const entries = (command: CommandSpec, path: ReadonlyArray<string> = []): Array<Entry> => [
  { path: path.join(" "), command },
  ...command.children.flatMap((c) => entries(c, [...path, c.name])),
]

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`

/** The bash script: `source <(ccl completion bash)`, or save it in bash-completion's folder. */
export const bashCompletion = (root: CommandSpec, program = "ccl"): string => {
  const all = entries(root)
  const spec = all.map(({ path, command }) => {
    const options = [...command.options, ...BUILT_IN_OPTIONS]
    const names = options.flatMap((o) => o.names)
    const valued = options.filter((o) => o.kind === "value").flatMap((o) => o.names)
    return [
      `    ${quote(path)})`,
      `      commands=${quote(command.children.map((c) => c.name).join(" "))}`,
      `      options=${quote(names.join(" "))}`,
      `      valued=${quote(valued.join(" "))} ;;`,
    ].join("\n")
  })
  const choices = all.flatMap(({ path, command }) =>
    [...command.options, ...BUILT_IN_OPTIONS].flatMap((o) => {
      const values = choicesOf(o)
      return values === undefined
        ? []
        : o.names.map((n) => `    ${quote(`${path}|${n}`)}) echo ${quote(values.join(" "))} ;;`)
    }),
  )
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, "_")}`
  return `# bash completion for ${program}: source <(${program} completion bash)
${fn}_spec() {
  case "$1" in
${spec.join("\n")}
    *) commands='' options='' valued='' ;;
  esac
}

${fn}_choices() {
  case "$1|$2" in
${choices.join("\n")}
  esac
}

${fn}_complete() {
  local cur prev path='' word i commands options valued
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=''
  if (( COMP_CWORD > 1 )); then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  # Walk the words before the cursor: subcommands deepen the path, an option's value is skipped.
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    ${fn}_spec "$path"
    if [[ " $valued " == *" $word "* ]]; then
      if (( i + 1 < COMP_CWORD )); then (( i++ )); fi
      continue
    fi
    if [[ "$word" != -* && " $commands " == *" $word "* ]]; then path="\${path:+$path }$word"; fi
  done
  ${fn}_spec "$path"
  COMPREPLY=()
  if [[ -n "$prev" && " $valued " == *" $prev "* ]]; then
    local values
    values="$(${fn}_choices "$path" "$prev")"
    if [[ -n "$values" ]]; then COMPREPLY=( $(compgen -W "$values" -- "$cur") ); fi
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$options" -- "$cur") )
  elif [[ -n "$commands" ]]; then
    COMPREPLY=( $(compgen -W "$commands" -- "$cur") )
  fi
  return 0
}

complete -o default -F ${fn}_complete ${program}
`
}
