// Imports nothing: bin/ccl.ts reads this before deciding what else to load.

/** Arguments of `ccl decide` in the plain shapes scripts use. */
export interface FastDecideArgs {
  readonly file: string | undefined
  readonly fields: ReadonlyArray<string>
  readonly json: boolean
  readonly config: string | undefined
}

/**
 * Recognises `decide [FILE] [--field k=v]... [--json] [--config F]` so the hot path bash scripts call can skip
 * loading the full command tree. Anything else (help, unknown flags, odd shapes) returns undefined and goes
 * through @effect/cli, which owns the messages.
 */
export const parseFastDecide = (argv: ReadonlyArray<string>): FastDecideArgs | undefined => {
  if (argv[0] !== "decide") return undefined
  let file: string | undefined
  let config: string | undefined
  let json = false
  const fields: Array<string> = []
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--json") json = true
    else if (arg === "--field" && i + 1 < argv.length) fields.push(argv[++i]!)
    else if (arg.startsWith("--field=")) fields.push(arg.slice("--field=".length))
    else if (arg === "--config" && i + 1 < argv.length) config = argv[++i]!
    else if (arg.startsWith("-") || file !== undefined) return undefined
    else file = arg
  }
  return { file, fields, json, config }
}

/** `hook EVENT [--config F]`, run by Claude Code on every event: it must start fast and never fail. */
export const parseFastHook = (
  argv: ReadonlyArray<string>,
): { readonly event: string; readonly config: string | undefined } | undefined => {
  if (argv[0] !== "hook" || argv[1] === undefined || argv[1].startsWith("-")) return undefined
  if (argv.length === 2) return { event: argv[1], config: undefined }
  if (argv.length === 4 && argv[2] === "--config") return { event: argv[1], config: argv[3] }
  return undefined
}
