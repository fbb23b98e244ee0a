/** The machine-readable block appended to a task in done/ or failed/ (DESIGN.md "Result footer"). */
export interface ResultFooter {
  readonly status: "completed" | "failed" | "cancelled"
  readonly route: "local" | "delegated"
  /** Why a task went where it would not have (`route: delegated (fallback: accounts exhausted)`). */
  readonly fallback?: string
  readonly provider: string
  readonly job_id?: string
  readonly session?: string
  readonly account?: string
  readonly attempt?: number
  readonly resume_id?: string
  readonly cost_usd?: number
  readonly started_at?: string
  readonly finished_at: string
  /** Why it failed, as a word a script can count (AttemptLog.ts FailureCauses). */
  readonly cause?: string
  readonly error?: string
  /** Each failed attempt before this result: `1 session_dead (ccl-pool-2, <time>), 2 timeout (...)`. */
  readonly attempts?: string
  /** Text returned by the platform or the agent's last message. */
  readonly text?: string
}

export const FOOTER_MARKER = "<!-- ccl:result -->"
const HEADER = "## Result"
const KEYS = [
  "status",
  "route",
  "provider",
  "job_id",
  "session",
  "account",
  "attempt",
  "resume_id",
  "cost_usd",
  "started_at",
  "finished_at",
  "cause",
  "error",
  "attempts",
] as const

/** Values are single lines: newlines and control bytes would break the `- key: value` format. */
const oneLine = (s: string): string =>
  s.replace(/[\r\n\t\u0085\u2028\u2029]+/g, " ").replace(/[\x00-\x1f\x7f]/g, "")

/** Renders the footer block, starting with a newline so it can be appended to any text. */
export const renderFooter = (footer: ResultFooter): string => {
  const lines = [FOOTER_MARKER, HEADER]
  for (const key of KEYS) {
    const value = footer[key]
    if (value === undefined) continue
    const note =
      key === "route" && footer.fallback !== undefined ? ` (fallback: ${oneLine(footer.fallback)})` : ""
    lines.push(`- ${key}: ${oneLine(String(value))}${note}`)
  }
  const text = footer.text === undefined || footer.text === "" ? "" : `\n${footer.text}\n`
  return `\n${lines.join("\n")}\n${text}`
}

/** The original task text with its footer appended. */
export const appendFooter = (original: string, footer: ResultFooter): string =>
  original + renderFooter(footer)

const parseBlock = (block: string): ResultFooter | undefined => {
  const lines = block.split("\n")
  if (lines[0] !== FOOTER_MARKER || lines[1] !== HEADER) return undefined
  const fields: Record<string, string> = {}
  let i = 2
  for (; i < lines.length; i++) {
    const m = /^- ([a-z_]+): (.*)$/.exec(lines[i]!)
    if (m === null) break
    fields[m[1]!] = m[2]!
  }
  const { status, provider, finished_at } = fields
  if (status !== "completed" && status !== "failed" && status !== "cancelled") return undefined
  const routeLine = /^(local|delegated)(?: \(fallback: (.*)\))?$/.exec(fields.route ?? "")
  if (routeLine === null) return undefined
  const route = routeLine[1] as "local" | "delegated"
  if (provider === undefined || finished_at === undefined) return undefined
  // After the fields: nothing, or one blank line then the text (which render ended with one newline).
  const rest = lines.slice(i).join("\n")
  let text: string | undefined
  if (rest !== "") {
    if (!rest.startsWith("\n") || !rest.endsWith("\n")) return undefined
    text = rest.slice(1, -1)
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s))
  const out: { -readonly [K in keyof ResultFooter]: ResultFooter[K] } = {
    status,
    route,
    provider,
    finished_at,
  }
  for (const key of [
    "job_id",
    "session",
    "account",
    "resume_id",
    "started_at",
    "cause",
    "error",
    "attempts",
  ] as const) {
    if (fields[key] !== undefined) out[key] = fields[key]
  }
  const attempt = num(fields.attempt)
  if (attempt !== undefined && Number.isFinite(attempt)) out.attempt = attempt
  const cost = num(fields.cost_usd)
  if (cost !== undefined && Number.isFinite(cost)) out.cost_usd = cost
  if (text !== undefined) out.text = text
  if (routeLine[2] !== undefined) out.fallback = routeLine[2]
  return out
}

/**
 * Finds the footer of a finished task file and the original text before it.
 * The first marker (at a line start) followed by a well-formed footer wins, so a result text that
 * itself mentions the marker is kept as text.
 */
export const parseFooter = (
  fileText: string,
): { readonly original: string; readonly footer: ResultFooter } | undefined => {
  let from = 0
  for (;;) {
    const at = fileText.indexOf(`\n${FOOTER_MARKER}\n`, from)
    if (at === -1) return undefined
    const footer = parseBlock(fileText.slice(at + 1))
    if (footer !== undefined) return { original: fileText.slice(0, at), footer }
    from = at + 1
  }
}

/** Footer for a task that failed in a local session (it died too often, it timed out). */
export const sessionFailedFooter = (
  failed: {
    readonly session: string
    readonly attempt: number
    readonly startedAt?: string
    readonly account?: string
    readonly attempts?: string
  },
  cause: string,
  error: string,
  now: Date,
): ResultFooter => ({
  status: "failed",
  route: "local",
  provider: "claude-code",
  session: failed.session,
  ...(failed.account === undefined ? {} : { account: failed.account }),
  attempt: failed.attempt,
  ...(failed.startedAt === undefined ? {} : { started_at: failed.startedAt }),
  finished_at: now.toISOString(),
  cause,
  error,
  ...(failed.attempts === undefined || failed.attempts === "" ? {} : { attempts: failed.attempts }),
})

/** Footer for a task that never ran: a bad file (cause bad_task), a failed dependency, a cycle, a cancel. */
export const rejectedFooter = (
  reason: string,
  now: Date,
  cause = "bad_task",
  status: "failed" | "cancelled" = "failed",
): ResultFooter => ({
  status,
  route: "local",
  provider: "none",
  finished_at: now.toISOString(),
  cause,
  error: reason,
})

/**
 * A retried task keeps the footers of its earlier runs as history: their marker becomes this one, so the next
 * footer is the one `parseFooter` finds, and the prompt sent to the agent stops before the first of them.
 */
export const HISTORY_MARKER = "<!-- ccl:previous-result -->"

/** A finished task's text made pending again: its footer kept as history (undefined when it has none). */
export const footerAsHistory = (fileText: string): string | undefined => {
  const found = parseFooter(fileText)
  if (found === undefined) return undefined
  const block = fileText.slice(found.original.length + 1 + FOOTER_MARKER.length)
  return `${found.original}\n${HISTORY_MARKER}${block}`
}

/** The part of a task's text before any history of earlier runs. */
export const withoutHistory = (text: string): string => {
  const at = text.indexOf(`\n${HISTORY_MARKER}\n`)
  return at === -1 ? text : text.slice(0, at)
}
