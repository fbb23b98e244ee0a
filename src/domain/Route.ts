import { Either } from "effect"
import {
  type Checked,
  type ComplexityHint,
  checkFrontmatter,
  type Frontmatter,
  TaskFormatError,
} from "./TaskFormat.js"

// Plain functions, and Either adapters for the Effect program: the light `ccl decide` (DecideLite.ts) uses the
// plain ones only, and its bundle leaves Effect out (scripts/build.mjs checks it).

/** What the router needs to know besides the task. */
export interface RouterSettings {
  /** True when a secutools API key is configured. */
  readonly delegationEnabled: boolean
  /** Remote providers the platform offers (e.g. gpu, gemini, claude-api). */
  readonly providers: ReadonlyArray<string>
  /** Provider chosen from a task's complexity_hint. */
  readonly complexity: Readonly<Record<ComplexityHint, string>>
}

export const LOCAL_PROVIDER = "claude-code"

export interface Decision {
  readonly route: "local" | "delegate"
  /** `claude-code` for local runs, else the remote provider. */
  readonly provider: string
  /** One line a human can read. */
  readonly reason: string
  /** Which precedence rule (1-8, DESIGN.md "Routing") decided. */
  readonly rule: number
}

const local = (rule: number, reason: string): Decision => ({
  route: "local",
  provider: LOCAL_PROVIDER,
  reason,
  rule,
})
const remote = (rule: number, provider: string, reason: string): Decision => ({
  route: "delegate",
  provider,
  reason,
  rule,
})

/** Routes a task: the strict 8-step precedence of DESIGN.md, first match wins. */
export const decide = (fm: Frontmatter, settings: RouterSettings): Decision => {
  if (fm.needs_claude_code === true) return local(1, "needs_claude_code is true")
  if (fm.preferred_ai === LOCAL_PROVIDER) return local(2, "preferred_ai is claude-code")
  if (fm.allow_delegation === false) return local(3, "allow_delegation is false")
  const wantsRemote = fm.preferred_ai !== undefined || fm.allow_delegation === true
  if (!settings.delegationEnabled) {
    return local(
      4,
      wantsRemote ? "delegation is disabled (no SECUTOOLS_API_KEY configured)" : "delegation is disabled",
    )
  }
  if (fm.preferred_ai !== undefined) {
    return settings.providers.includes(fm.preferred_ai)
      ? remote(5, fm.preferred_ai, `preferred_ai is ${fm.preferred_ai}`)
      : local(
          6,
          `preferred_ai ${JSON.stringify(fm.preferred_ai)} is not a known provider (${settings.providers.join(", ")}): running locally to be safe`,
        )
  }
  if (fm.allow_delegation === true && fm.complexity_hint !== undefined) {
    const provider = settings.complexity[fm.complexity_hint]
    return settings.providers.includes(provider)
      ? remote(7, provider, `complexity_hint ${fm.complexity_hint} maps to ${provider}`)
      : local(
          7,
          `complexity_hint ${fm.complexity_hint} maps to ${JSON.stringify(provider)}, which is not a known provider: running locally to be safe`,
        )
  }
  return local(8, "no delegation requested")
}

/**
 * While every account is spent (delegation.fallback_on_exhausted): the provider a local task may go to instead,
 * or undefined when it must wait for Claude Code (needs_claude_code, preferred_ai: claude-code, allow_delegation:
 * false, an unknown preferred_ai, or no provider to name).
 */
export const fallbackProvider = (
  fm: Frontmatter,
  settings: RouterSettings,
  configured: string | undefined,
): string | undefined => {
  if (!settings.delegationEnabled) return undefined
  if (fm.needs_claude_code === true || fm.preferred_ai === LOCAL_PROVIDER || fm.allow_delegation === false)
    return undefined
  const known = (p: string | undefined) => (p !== undefined && settings.providers.includes(p) ? p : undefined)
  if (fm.preferred_ai !== undefined) return known(fm.preferred_ai)
  if (fm.complexity_hint !== undefined) return known(settings.complexity[fm.complexity_hint])
  return known(configured)
}

/** The word a bash caller prints: `local`, or the remote provider. */
export const providerWord = (d: Decision): string => (d.route === "local" ? "local" : d.provider)

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  "1": true,
  "0": false,
}
const BOOLEAN_KEYS = new Set(["allow_delegation", "needs_claude_code"])
const FIELD_KEYS = [
  "priority",
  "preferred_ai",
  "allow_delegation",
  "complexity_hint",
  "needs_claude_code",
  "timeout",
]

/**
 * Map adapter for scripts: frontmatter from plain strings (`preferred_ai=gemini`).
 * Booleans accept true/false/yes/no/1/0, priority an integer. Unknown keys are an error: a typo must not
 * silently route a task elsewhere.
 */
export const fieldsFromStrings = (fields: Readonly<Record<string, string>>): Checked<Frontmatter> => {
  const value: Record<string, unknown> = {}
  const bad = (reason: string) => ({ ok: false as const, error: new TaskFormatError(reason) })
  for (const [key, raw] of Object.entries(fields)) {
    if (!FIELD_KEYS.includes(key)) return bad(`unknown field "${key}" (known: ${FIELD_KEYS.join(", ")})`)
    if (BOOLEAN_KEYS.has(key)) {
      const b = BOOLEAN_WORDS[raw.trim().toLowerCase()]
      if (b === undefined) return bad(`field "${key}": got ${JSON.stringify(raw)}, expected true or false`)
      value[key] = b
    } else if (key === "priority" && /^-?\d+$/.test(raw.trim())) {
      value[key] = Number(raw)
    } else {
      value[key] = raw
    }
  }
  return checkFrontmatter(value)
}

/** `fieldsFromStrings` as an Either. */
export const frontmatterFromStrings = (
  fields: Readonly<Record<string, string>>,
): Either.Either<Frontmatter, TaskFormatError> => {
  const checked = fieldsFromStrings(fields)
  return checked.ok ? Either.right(checked.value) : Either.left(checked.error)
}

/** Map adapter: plain strings in, a decision out (see `frontmatterFromStrings`). */
export const decideFromStrings = (
  fields: Readonly<Record<string, string>>,
  settings: RouterSettings,
): Either.Either<Decision, TaskFormatError> =>
  Either.map(frontmatterFromStrings(fields), (fm) => decide(fm, settings))
