import { parseDocument } from "yaml"
import { parseDurationText } from "./DurationText.js"
import { withoutHistory } from "./ResultFooter.js"
import { isTaskId } from "./TaskIdRule.js"

// The task file format in plain TypeScript, without Effect: the light `ccl decide` (src/programs/DecideLite.ts)
// runs it before any of Effect is loaded, and Frontmatter.ts gives the program the same rules as Eithers. One
// set of rules, one set of messages.

/** Largest task file accepted, in bytes: a prompt, not a payload. */
export const MAX_TASK_BYTES = 1024 * 1024
/** Largest frontmatter block accepted, in bytes. */
export const MAX_FRONTMATTER_BYTES = 64 * 1024

export const KnownAi = ["claude-code", "claude-api", "gemini", "gpu"] as const
export const ComplexityHints = ["low", "medium", "high"] as const
export type ComplexityHint = (typeof ComplexityHints)[number]

/** The frontmatter fields ccl reads. Unknown keys are allowed and ignored (they stay in the file). */
export interface Frontmatter {
  readonly priority?: number
  readonly preferred_ai?: string
  readonly allow_delegation?: boolean
  readonly complexity_hint?: ComplexityHint
  readonly needs_claude_code?: boolean
  /** Milliseconds. */
  readonly timeout?: number
  /** Ids of tasks that must be in done/ before this one runs. */
  readonly depends_on?: ReadonlyArray<string>
  /** Overrides pool.max_attempts for this task. */
  readonly max_attempts?: number
  /** Milliseconds: the first wait between attempts (doubling, capped). */
  readonly retry_backoff?: number
}

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

/** A value, or why there is none. */
export type Checked<A, E = TaskFormatError> =
  | { readonly ok: true; readonly value: A }
  | { readonly ok: false; readonly error: E }
const ok = <A>(value: A): Checked<A, never> => ({ ok: true, value })
const bad = (reason: string): Checked<never> => ({ ok: false, error: new TaskFormatError(reason) })

export const describeValue = (u: unknown): string =>
  typeof u === "string"
    ? JSON.stringify(u)
    : u === null
      ? "null"
      : `${JSON.stringify(u) ?? String(u)} (${typeof u})`

/** Each field: its rule (the value to keep, or undefined when wrong) and what it expects, in this order. */
const FIELDS: ReadonlyArray<readonly [keyof Frontmatter, (v: unknown) => unknown, string]> = [
  [
    "priority",
    (v) => (typeof v === "number" && Number.isSafeInteger(v) ? v : undefined),
    "an integer such as 5",
  ],
  [
    "preferred_ai",
    (v) => (typeof v === "string" && v.length > 0 ? v : undefined),
    `a provider name (${KnownAi.join(" | ")}); unknown names run locally`,
  ],
  ["allow_delegation", (v) => (typeof v === "boolean" ? v : undefined), "true or false"],
  [
    "complexity_hint",
    (v) => ((ComplexityHints as ReadonlyArray<unknown>).includes(v) ? v : undefined),
    "low | medium | high",
  ],
  ["needs_claude_code", (v) => (typeof v === "boolean" ? v : undefined), "true or false"],
  [
    "timeout",
    (v) => {
      if (typeof v !== "string" && typeof v !== "number") return undefined
      const ms = parseDurationText(String(v)) // a bare number is seconds
      return ms === undefined || ms <= 0 ? undefined : ms
    },
    "a duration such as 90m, 2h or 1h30m",
  ],
  [
    "depends_on",
    (v) => {
      // One id alone is a list of one: `depends_on: build` reads as meant.
      const ids = typeof v === "string" ? [v] : v
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string" && isTaskId(id))) return undefined
      return [...new Set(ids as Array<string>)]
    },
    "a list of task ids such as [build, test]",
  ],
  [
    "max_attempts",
    (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : undefined),
    "a whole number of attempts, 1 or more",
  ],
  [
    "retry_backoff",
    (v) => {
      if (typeof v !== "string" && typeof v !== "number") return undefined
      const ms = parseDurationText(String(v))
      return ms === undefined || ms < 0 ? undefined : ms
    },
    "a duration such as 30s or 5m (0 for none)",
  ],
]

/** Validates an already-parsed frontmatter object (also `--field key=value` maps): every bad field at once. */
export const checkFrontmatter = (value: unknown): Checked<Frontmatter> => {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    return bad(`frontmatter must be a mapping of fields, got ${describeValue(value)}`)
  const input = value as Record<string, unknown>
  const out: Record<string, unknown> = {}
  const problems: Array<string> = []
  for (const [key, rule, expected] of FIELDS) {
    // "key:" with no value (YAML null) means the field is not set.
    if (!Object.hasOwn(input, key) || input[key] === null || input[key] === undefined) continue
    const kept = rule(input[key])
    if (kept === undefined)
      problems.push(`field "${key}": got ${describeValue(input[key])}, expected ${expected}`)
    else out[key] = kept
  }
  return problems.length > 0 ? bad(`frontmatter ${problems.join("; ")}`) : ok(out as Frontmatter)
}

const OPEN = /^---[ \t]*\r?\n/
const OPEN_OTHER_LANGUAGE = /^---([A-Za-z][A-Za-z0-9_-]*)[ \t]*\r?\n/
const CLOSE = /^(?:---|\.\.\.)[ \t]*$/

/** Splits `---` frontmatter from the body. Text without an opening `---` line is all body. */
export const splitFrontmatterText = (
  text: string,
): Checked<{ readonly yaml: string | undefined; readonly body: string }> => {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  const other = OPEN_OTHER_LANGUAGE.exec(src)
  if (other !== null) {
    return bad(
      `frontmatter language "${other[1]}" is not supported (line 1 is "---${other[1]}"): ccl reads YAML only; start the file with a plain "---" line`,
    )
  }
  const open = OPEN.exec(src)
  if (open === null) return ok({ yaml: undefined, body: src })
  let pos = open[0].length
  while (pos <= src.length) {
    const nl = src.indexOf("\n", pos)
    const end = nl === -1 ? src.length : nl
    const line = src.slice(pos, end).replace(/\r$/, "")
    if (CLOSE.test(line)) {
      return ok({ yaml: src.slice(open[0].length, pos), body: nl === -1 ? "" : src.slice(nl + 1) })
    }
    if (nl === -1) break
    pos = nl + 1
  }
  return bad('frontmatter opened by "---" on line 1 is never closed: add a line "---" after the last field')
}

/** Parses YAML text safely: core schema only (no custom tags, nothing evaluated), bounded aliases. */
export const parseYamlText = (yaml: string): Checked<unknown, string> => {
  const doc = parseDocument(yaml, { schema: "core", uniqueKeys: true, prettyErrors: false })
  const problem = doc.errors[0] ?? doc.warnings[0]
  if (problem !== undefined) {
    const line = problem.linePos?.[0].line
    return {
      ok: false,
      error: `${problem.message.split("\n")[0]}${line === undefined ? "" : ` (frontmatter line ${line})`}`,
    }
  }
  try {
    return ok(doc.toJS({ maxAliasCount: 50 }))
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) }
  }
}

/** Parses a whole task file: size cap, frontmatter split, YAML, fields. */
export const parseTaskText = (text: string): Checked<ParsedTask> => {
  const bytes = Buffer.byteLength(text, "utf8")
  if (bytes > MAX_TASK_BYTES) {
    return bad(
      `task file is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the ${MAX_TASK_BYTES / 1024 / 1024} MiB limit: shorten the prompt or point it at files on disk`,
    )
  }
  const split = splitFrontmatterText(text)
  if (!split.ok) return split
  const { yaml } = split.value
  // A retried task keeps its earlier results as history: they are no part of the prompt.
  const body = withoutHistory(split.value.body)
  if (yaml === undefined) return ok({ frontmatter: {}, body })
  if (Buffer.byteLength(yaml, "utf8") > MAX_FRONTMATTER_BYTES)
    return bad(`frontmatter is over ${MAX_FRONTMATTER_BYTES / 1024} KiB: keep it to a few fields`)
  const parsed = parseYamlText(yaml)
  if (!parsed.ok) return bad(`frontmatter is not valid YAML: ${parsed.error}`)
  const value = parsed.value ?? {}
  if (typeof value !== "object" || Array.isArray(value)) {
    return bad(
      `frontmatter must be a YAML mapping of "key: value" lines, got ${Array.isArray(value) ? "a list" : describeValue(value)}`,
    )
  }
  const fields = checkFrontmatter(value)
  return fields.ok ? ok({ frontmatter: fields.value, body }) : fields
}
