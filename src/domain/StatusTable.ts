// The text of `ccl status` and of each `ccl status --watch` refresh: pure, so that a pipe, a TTY and a test
// all see the same table.

import { quotaNote } from "./QuotaText.js"

/** One session as GET /api/status shows it (the fields the table uses). */
export interface StatusSessionRow {
  readonly name: string
  readonly account: string | null
  readonly phase: string
  readonly state: string
  readonly task: string | null
  /** ISO 8601: when the session entered its phase. */
  readonly since: string
  readonly needs_operator?: string | null | undefined
}

/** One daemon sharing a Postgres queue (GET /api/status `nodes`). */
export interface StatusNodeRow {
  readonly name: string
  readonly pid: number
  readonly heartbeat_age_ms: number
  readonly sessions: ReadonlyArray<{ readonly name: string; readonly task: string | null }>
  readonly active_account: string | null
  readonly tasks: ReadonlyArray<string>
}

/** GET /api/status, or the disk view of it when the daemon is down (`daemon: null`, no pid, no sessions). */
export interface StatusTableInput {
  readonly pid?: number
  readonly started_at?: string
  readonly account: string | null
  readonly sessions: ReadonlyArray<StatusSessionRow>
  readonly queue: Readonly<Record<string, number>>
  readonly failover: {
    readonly paused_until: string | null
    readonly cooldowns: Readonly<Record<string, string>>
    readonly paused_by_operator?: boolean | undefined
  } | null
  /** Every node of a shared queue; none with the file queue. */
  readonly nodes?: ReadonlyArray<StatusNodeRow> | undefined
}

export interface StatusTableOptions {
  /** Epoch ms the ages are measured to. */
  readonly now: number
  /** ANSI colours (a TTY without NO_COLOR). */
  readonly color: boolean
  /** Whether the daemon answered; when not, `address` says where it was asked. */
  readonly live: boolean
  readonly address: string
  /** The configured accounts in failover order, so that idle ones show too. */
  readonly accounts: ReadonlyArray<string>
  /** Each account's quota as the daemon knows it (GET /api/accounts); none from disk. */
  readonly quotas?: Readonly<Record<string, Parameters<typeof quotaNote>[0]>> | undefined
}

const UNITS = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
] as const

/** An age or a wait at a glance: the two largest units, `3m12s`, `1h05m`, `2d3h`, `0s`. */
export const formatAge = (ms: number): string => {
  let rest = Math.max(0, Math.floor(ms / 1000))
  const parts: Array<string> = []
  for (const [unit, size] of UNITS) {
    if (parts.length === 2) break
    const n = Math.floor(rest / size)
    rest %= size
    if (n > 0 || parts.length > 0) parts.push(`${parts.length > 0 ? String(n).padStart(2, "0") : n}${unit}`)
  }
  return parts.length === 0 ? "0s" : parts.join("")
}

const paint = (on: boolean, code: string, text: string) => (on ? `\x1b[${code}m${text}\x1b[0m` : text)

const PHASE_COLOUR: Record<string, string> = {
  working: "32",
  ready: "36",
  limited: "33",
  clearing: "33",
  resuming: "33",
  starting: "33",
  shell: "31",
  dead: "31",
}

const ageSince = (iso: string | undefined, now: number) => {
  const at = iso === undefined ? Number.NaN : Date.parse(iso)
  return Number.isNaN(at) ? "-" : formatAge(now - at)
}

/** Left-aligned columns, padded to their widest cell (colour added after padding, so widths stay true). */
const columns = (
  rows: ReadonlyArray<ReadonlyArray<string>>,
  colour: (row: number, col: number) => string,
) => {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)))
  return rows.map((r, i) =>
    r
      .map((cell, c) => {
        const padded = c === r.length - 1 ? cell : cell.padEnd(widths[c]!)
        const code = colour(i, c)
        return code === "" ? padded : paint(true, code, padded)
      })
      .join("  ")
      .trimEnd(),
  )
}

const accountsLine = (input: StatusTableInput, options: StatusTableOptions) => {
  const cooldowns = input.failover?.cooldowns ?? {}
  const names = [...new Set([...options.accounts, ...Object.keys(cooldowns)])]
  if (names.length === 0) return []
  const shown = names.map((name) => {
    const until = cooldowns[name]
    const left = until === undefined ? Number.NaN : Date.parse(until) - options.now
    const quota = quotaNote(options.quotas?.[name] ?? null)
    const notes = [
      ...(name === input.account ? ["active"] : []),
      ...(quota === "" ? [] : [quota]),
      ...(left > 0 ? [`cooling down ${formatAge(left)}, until ${until}`] : []),
    ]
    const text = notes.length === 0 ? name : `${name} (${notes.join(", ")})`
    return left > 0 ? paint(options.color, "33", text) : text
  })
  return [`accounts: ${shown.join(", ")}`]
}

const QUEUE_ORDER = ["pending", "active", "done", "failed", "delegated"]

/** The queue's counts in the order a task moves through it, whatever order they came in. */
const queueOrder = (queue: Readonly<Record<string, number>>) =>
  Object.entries(queue).sort(
    ([a], [b]) => (QUEUE_ORDER.indexOf(a) >>> 0) - (QUEUE_ORDER.indexOf(b) >>> 0) || a.localeCompare(b),
  )

/** Which node holds which task: one row per node of a shared queue (busy sessions of all, tasks it holds). */
const nodeLines = (input: StatusTableInput, options: StatusTableOptions) => {
  if (input.nodes === undefined || input.nodes.length === 0) return []
  const rows = [
    ["NODE", "PID", "HEARTBEAT", "ACCOUNT", "SESSIONS", "TASKS"],
    ...input.nodes.map((n) => [
      n.name,
      String(n.pid),
      `${formatAge(n.heartbeat_age_ms)} ago`,
      n.active_account ?? "-",
      `${n.sessions.filter((s) => s.task !== null).length}/${n.sessions.length} busy`,
      n.tasks.length === 0 ? "-" : n.tasks.join(","),
    ]),
  ]
  return columns(rows, (row) => (options.color && row === 0 ? "1" : ""))
}

/** The whole status view: daemon line, queue counts, accounts and cooldowns, then one row per session; never a blank line. */
export const renderStatusTable = (input: StatusTableInput, options: StatusTableOptions): string => {
  const { now, color } = options
  const account = input.account ?? "(default)"
  const head = options.live
    ? `daemon pid ${input.pid}, account ${account}, up ${ageSince(input.started_at, now)}`
    : `no daemon answers on ${options.address} (from disk), account ${account}`
  const paused = input.failover?.paused_until
  const lines = [
    paint(color, options.live ? "1" : "1;31", head),
    ...(paused ? [paint(color, "33", `dispatching paused until ${paused}`)] : []),
    ...(input.failover?.paused_by_operator
      ? [paint(color, "33", "dispatching paused by the operator (ccl failover resume)")]
      : []),
    `queue: ${queueOrder(input.queue)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    ...accountsLine(input, options),
    ...nodeLines(input, options),
  ]
  // No blank line inside: `status --watch` on a pipe separates its refreshes with one.
  if (input.sessions.length === 0) {
    return [...lines, options.live ? "sessions: none" : "sessions: unknown while the daemon is down"].join(
      "\n",
    )
  }
  const rows = [
    ["SESSION", "ACCOUNT", "PHASE", "STATE", "TASK", "SINCE"],
    ...input.sessions.map((s) => [
      s.name,
      s.account ?? "-",
      s.phase,
      s.state,
      s.task ?? "-",
      ageSince(s.since, now),
    ]),
  ]
  const table = columns(rows, (row, col) =>
    !color ? "" : row === 0 ? "1" : col === 2 ? (PHASE_COLOUR[rows[row]![2]!] ?? "") : "",
  )
  const operator = input.sessions.flatMap((s) =>
    s.needs_operator ? [paint(color, "31", `${s.name} needs the operator: ${s.needs_operator}`)] : [],
  )
  return [...lines, ...table, ...operator].join("\n")
}
