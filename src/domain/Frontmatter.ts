import { Either, ParseResult, Schema } from "effect"
import { parseDocument } from "yaml"
import { parseDurationText } from "./DurationText.js"

/** Largest task file accepted, in bytes: a prompt, not a payload. */
export const MAX_TASK_BYTES = 1024 * 1024
/** Largest frontmatter block accepted, in bytes. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024

export const KnownAi = ["claude-code", "claude-api", "gemini", "gpu"] as const
export const ComplexityHint = Schema.Literal("low", "medium", "high")
export type ComplexityHint = typeof ComplexityHint.Type

const describe = (u: unknown): string =>
  typeof u === "string"
    ? JSON.stringify(u)
    : u === null
      ? "null"
      : `${JSON.stringify(u) ?? String(u)} (${typeof u})`

const field = <A, I>(schema: Schema.Schema<A, I>, expected: string) =>
  Schema.optionalWith(
    schema.annotations({
      message: (issue) => ({
        message: `got ${describe(issue.actual)}, expected ${expected}`,
        override: true,
      }),
    }),
    { exact: true },
  )

/** Milliseconds from a duration text such as `2h` or `90m`; a bare number is seconds. */
const TimeoutMs = Schema.transformOrFail(Schema.Union(Schema.String, Schema.Number), Schema.Number, {
  strict: true,
  decode: (s, _, ast) => {
    const ms = parseDurationText(String(s))
    return ms === undefined || ms <= 0
      ? ParseResult.fail(new ParseResult.Type(ast, s))
      : ParseResult.succeed(ms)
  },
  encode: (ms) => ParseResult.succeed(`${Math.round(ms / 1000)}s`),
})

/** The frontmatter fields ccl reads. Unknown keys are allowed and ignored (they stay in the file). */
export const Frontmatter = Schema.Struct({
  priority: field(Schema.Int, "an integer such as 5"),
  preferred_ai: field(
    Schema.NonEmptyString,
    `a provider name (${KnownAi.join(" | ")}); unknown names run locally`,
  ),
  allow_delegation: field(Schema.Boolean, "true or false"),
  complexity_hint: field(ComplexityHint, "low | medium | high"),
  needs_claude_code: field(Schema.Boolean, "true or false"),
  timeout: field(TimeoutMs, "a duration such as 90m, 2h or 1h30m"),
})
export type Frontmatter = typeof Frontmatter.Type

/** A task file split into its parsed frontmatter and its body (the prompt). */
export interface ParsedTask {
  readonly frontmatter: Frontmatter
  readonly body: string
}

/** Why a task file cannot be used: one line, naming the field, the bad value and what is allowed. */
export class TaskFormatError {
  readonly _tag = "TaskFormatError"
  constructor(readonly reason: string) {}
}

const OPEN = /^---[ \t]*\r?\n/
const OPEN_OTHER_LANGUAGE = /^---([A-Za-z][A-Za-z0-9_-]*)[ \t]*\r?\n/
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/

/** Splits `---` frontmatter from the body. Text without an opening `---` line is all body. */
export const splitFrontmatter = (
  text: string,
): Either.Either<{ readonly yaml: string | undefined; readonly body: string }, TaskFormatError> => {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const other = OPEN_OTHER_LANGUAGE.exec(src)
  if (other !== null) {
    return Either.left(
      new TaskFormatError(
        `frontmatter language "${other[1]}" is not supported (line 1 is "---${other[1]}"): ccl reads YAML only; start the file with a plain "---" line`,
      ),
    )
  }
  const open = OPEN.exec(src)
  if (open === null) return Either.right({ yaml: undefined, body: src })
  let pos = open[0].length
  while (pos <= src.length) {
    const nl = src.indexOf("\n", pos)
    const end = nl === -1 ? src.length : nl
    const line = src.slice(pos, end).replace(/\r$/, "")
    if (CLOSE.test(line)) {
      return Either.right({ yaml: src.slice(open[0].length, pos), body: nl === -1 ? "" : src.slice(nl + 1) })
    }
    if (nl === -1) break
    pos = nl + 1
  }
  return Either.left(
    new TaskFormatError(
      'frontmatter opened by "---" on line 1 is never closed: add a line "---" after the last field',
    ),
  )
}

const formatIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => {
      const path = issue.path.join(".")
      return path === "" ? issue.message : `field "${path}": ${issue.message}`
    })
    .join("; ")

const decodeFrontmatter = Schema.decodeUnknownEither(Frontmatter, { errors: "all" })

/** Validates an already-parsed frontmatter object (also used for `--field key=value` maps). */
export const validateFrontmatter = (value: unknown): Either.Either<Frontmatter, TaskFormatError> => {
  // "key:" with no value (YAML null) means the field is not set.
  const cleaned =
    value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null))
      : value
  return Either.mapLeft(
    decodeFrontmatter(cleaned),
    (e) => new TaskFormatError(`frontmatter ${formatIssues(e)}`),
  )
}

/** Parses YAML text safely: core schema only (no custom tags, nothing evaluated), bounded aliases. */
export const parseYaml = (yaml: string): Either.Either<unknown, string> => {
  const doc = parseDocument(yaml, { schema: "core", uniqueKeys: true, prettyErrors: false })
  const problem = doc.errors[0] ?? doc.warnings[0]
  if (problem !== undefined) {
    const line = problem.linePos?.[0].line
    return Either.left(
      `${problem.message.split("\n")[0]}${line === undefined ? "" : ` (frontmatter line ${line})`}`,
    )
  }
  try {
    return Either.right(doc.toJS({ maxAliasCount: 50 }))
  } catch (e) {
    return Either.left(e instanceof Error ? e.message : String(e))
  }
}

/** Parses a whole task file: size cap, frontmatter split, YAML, schema. */
export const parseTask = (text: string): Either.Either<ParsedTask, TaskFormatError> => {
  const bytes = Buffer.byteLength(text, "utf8")
  if (bytes > MAX_TASK_BYTES) {
    return Either.left(
      new TaskFormatError(
        `task file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_TASK_BYTES / 1024 / 1024} MiB limit: shorten the prompt or point it at files on disk`,
      ),
    )
  }
  return Either.flatMap(splitFrontmatter(text), ({ yaml, body }) => {
    if (yaml === undefined) return Either.right({ frontmatter: {}, body })
    if (Buffer.byteLength(yaml, "utf8") > MAX_FRONTMATTER_BYTES) {
      return Either.left(
        new TaskFormatError(
          `frontmatter is over ${MAX_FRONTMATTER_BYTES / 1024} KiB: keep it to a few fields`,
        ),
      )
    }
    const parsed = parseYaml(yaml)
    if (Either.isLeft(parsed))
      return Either.left(new TaskFormatError(`frontmatter is not valid YAML: ${parsed.left}`))
    const value = parsed.right ?? {}
    if (typeof value !== "object" || Array.isArray(value)) {
      return Either.left(
        new TaskFormatError(
          `frontmatter must be a YAML mapping of "key: value" lines, got ${Array.isArray(value) ? "a list" : describe(value)}`,
        ),
      )
    }
    return Either.map(validateFrontmatter(value), (frontmatter) => ({ frontmatter, body }))
  })
}
