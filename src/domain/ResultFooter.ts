/** The machine-readable block appended to a task in done/ or failed/ (DESIGN.md "Result footer"). */
export interface ResultFooter {
  readonly status: "completed" | "failed"
  readonly route: "local" | "delegated"
  readonly provider: string
  readonly job_id?: string
  readonly session?: string
  readonly account?: string
  readonly attempt?: number
  readonly resume_id?: string
  readonly cost_usd?: number
  readonly started_at?: string
  readonly finished_at: string
  readonly error?: string
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
  "error",
] as const

/** Values are single lines: newlines and control bytes would break the `- key: value` format. */
const oneLine = (s: string): string =>
  s.replace(/[\r\n\t\u0085\u2028\u2029]+/g, " ").replace(/[\x00-\x1f\x7f]/g, "")

/** Renders the footer block, starting with a newline so it can be appended to any text. */
export const renderFooter = (footer: ResultFooter): string => {
  const lines = [FOOTER_MARKER, HEADER]
  for (const key of KEYS) {
    const value = footer[key]
    if (value !== undefined) lines.push(`- ${key}: ${oneLine(String(value))}`)
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
  const { status, route, provider, finished_at } = fields
  if (status !== "completed" && status !== "failed") return undefined
  if (route !== "local" && route !== "delegated") return undefined
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
  for (const key of ["job_id", "session", "account", "resume_id", "started_at", "error"] as const) {
    if (fields[key] !== undefined) out[key] = fields[key]
  }
  const attempt = num(fields.attempt)
  if (attempt !== undefined && Number.isFinite(attempt)) out.attempt = attempt
  const cost = num(fields.cost_usd)
  if (cost !== undefined && Number.isFinite(cost)) out.cost_usd = cost
  if (text !== undefined) out.text = text
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
  failed: { readonly session: string; readonly attempt: number; readonly startedAt?: string },
  error: string,
  now: Date,
): ResultFooter => ({
  status: "failed",
  route: "local",
  provider: "claude-code",
  session: failed.session,
  attempt: failed.attempt,
  ...(failed.startedAt === undefined ? {} : { started_at: failed.startedAt }),
  finished_at: now.toISOString(),
  error,
})

/** Footer for a task rejected before it could run (bad name, bad frontmatter). */
export const rejectedFooter = (reason: string, now: Date): ResultFooter => ({
  status: "failed",
  route: "local",
  provider: "none",
  finished_at: now.toISOString(),
  error: reason,
})
