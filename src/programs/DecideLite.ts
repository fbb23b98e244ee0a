// `ccl decide` in plain Node, no Effect: scripts/codeCacheLoader.mjs runs this before (instead of) reading and
// compiling the program, because scripts call `ccl decide` in loops. It answers only what it can answer exactly
// as the program would (src/programs/cli/decide.ts, AppConfigLive.ts): the same rules from src/domain, the same
// lines. Anything else (arguments of another shape, a configuration only the program's loader can judge, a
// task file that cannot be read) gives undefined, and the program runs unchanged and words the error.

import * as fs from "node:fs"
import * as path from "node:path"
import { routingSettings } from "../domain/ConfigCheck.js"
import { MAX_CONFIG_BYTES } from "../domain/ConfigContract.js"
import { decideFields, decideOutput } from "../domain/DecideInput.js"
import { parseYamlText } from "../domain/TaskFormat.js"
import { parseFastDecide } from "./cli/fastArgs.js"

type Env = Readonly<Record<string, string | undefined>>

/** What `ccl decide` prints and its exit code. */
export interface DecideAnswer {
  readonly code: 0 | 2
  readonly stdout: string
  readonly stderr: string
}

const UNSURE = Symbol("unsure")

/** A file's text as the program reads it (TextDecoder: a byte-order mark is dropped), or its error code. */
const readText = (file: string): string | { readonly code: string } => {
  try {
    return new TextDecoder().decode(fs.readFileSync(file))
  } catch (e) {
    return { code: (e as NodeJS.ErrnoException).code ?? "unknown" }
  }
}

/** The ccl.yaml document AppConfigLive would read: `--config`, else $CCL_CONFIG, else ./ccl.yaml if present. */
const configDocument = (explicit: string | undefined, env: Env, cwd: string): unknown => {
  const chosen = explicit ?? (env.CCL_CONFIG || undefined)
  const text = readText(path.resolve(cwd, chosen ?? "ccl.yaml"))
  if (typeof text !== "string") return text.code === "ENOENT" && chosen === undefined ? undefined : UNSURE
  if (text.length > MAX_CONFIG_BYTES) return UNSURE
  const parsed = parseYamlText(text)
  return parsed.ok ? (parsed.value ?? {}) : UNSURE
}

/** The answer to `argv` (without `node ccl`), or undefined when only the program can give it. */
export const decideLite = (argv: ReadonlyArray<string>, env: Env, cwd: string): DecideAnswer | undefined => {
  const args = parseFastDecide(argv)
  if (args === undefined) return undefined
  // The program reads its configuration first: a bad one is reported whatever the arguments say.
  const doc = configDocument(args.config, env, cwd)
  const settings = doc === UNSURE ? undefined : routingSettings(doc, env)
  if (settings === undefined) return undefined
  const bad = (message: string): DecideAnswer => ({ code: 2, stdout: "", stderr: `ccl: ${message}\n` })
  const fields = decideFields(args.fields, args.file !== undefined)
  if (!fields.ok) return bad(fields.error)
  let file: { readonly name: string; readonly text: string } | undefined
  if (args.file !== undefined) {
    const text = readText(path.resolve(cwd, args.file))
    if (typeof text !== "string") return undefined // the program words read errors
    file = { name: args.file, text }
  }
  const line = decideOutput(file, fields.value, args.json, settings)
  return line.ok ? { code: 0, stdout: `${line.value}\n`, stderr: "" } : bad(line.error)
}

/** Writes an answer as the program would have printed it, and sets the exit code. */
export const printDecideAnswer = (answer: DecideAnswer): void => {
  // fs.writeSync: the line goes out without setting up process.stdout (a few ms of a ~20 ms budget).
  // The streams are only touched on that path: merely reading process.stdout sets it up.
  const write = (fd: 1 | 2, text: string, stream: () => NodeJS.WriteStream) => {
    if (text === "") return
    try {
      fs.writeSync(fd, text)
    } catch {
      stream().write(text) // a non-blocking pipe that is full: let the stream wait for it
    }
  }
  write(1, answer.stdout, () => process.stdout)
  write(2, answer.stderr, () => process.stderr)
  process.exitCode = answer.code
}
