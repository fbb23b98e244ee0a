// Live progress of the demo, pure: a daemon status (GET /api/status) and the failover history (state.json)
// rendered as one plain line per change, or as a panel redrawn in place on a terminal.

export interface DemoSession {
  readonly name: string
  readonly kind: string
  readonly account: string | null
  readonly phase: string
  readonly task: string | null
}

export interface DemoSnapshot {
  readonly account: string | null
  readonly sessions: ReadonlyArray<DemoSession>
  readonly queue: {
    readonly pending: number
    readonly active: number
    readonly done: number
    readonly failed: number
  }
  /** Undefined when delegation is off. */
  readonly delegation:
    | {
        readonly submitted: number
        readonly completed: number
        readonly failed: number
        readonly active: number
      }
    | undefined
}

/** One entry of `history` in `<state>/state.json`. */
export interface FailoverEvent {
  readonly from: string | null
  readonly to: string | null
  readonly reason: string
  readonly outcome: string
  readonly relaunched: ReadonlyArray<string>
  readonly left_at_shell: ReadonlyArray<string>
  readonly finished_at: string
}

type Json = Record<string, unknown>
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const num = (u: unknown): number => (typeof u === "number" && Number.isFinite(u) ? u : 0)
const str = (u: unknown): string | null => (typeof u === "string" ? u : null)

/** Reads what the demo shows from a `/api/status` body; undefined when it is not one. Unknown fields are ignored. */
export const parseStatus = (body: unknown): DemoSnapshot | undefined => {
  if (!isObject(body) || !Array.isArray(body.sessions) || !isObject(body.queue)) return undefined
  const q = body.queue
  const d = body.delegation
  return {
    account: str(body.account),
    sessions: body.sessions.filter(isObject).map((s) => ({
      name: str(s.name) ?? "?",
      kind: str(s.kind) ?? "?",
      account: str(s.account),
      phase: str(s.phase) ?? "?",
      task: str(s.task),
    })),
    queue: { pending: num(q.pending), active: num(q.active), done: num(q.done), failed: num(q.failed) },
    delegation:
      isObject(d) && d.enabled === true && isObject(d.counters)
        ? {
            submitted: num(d.counters.submitted),
            completed: num(d.counters.completed),
            failed: num(d.counters.failed),
            active: num(d.counters.active),
          }
        : undefined,
  }
}

/** The failover history from the daemon's `state.json` body (oldest first); empty when there is none. */
/** `HH:MM:SS` in local time. */
export const clock = (at: Date): string =>
  [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, "0")).join(":")

const delegationText = (s: DemoSnapshot) =>
  s.delegation === undefined
    ? "delegation=off"
    : `delegated=${s.delegation.completed}/${s.delegation.submitted}${s.delegation.failed > 0 ? ` (failed ${s.delegation.failed})` : ""}`

/** The plain progress line, without its time: `account=main pending=7 ... | ccl-pool-1 working t03 | ...`. */
export const statusLine = (s: DemoSnapshot): string =>
  [
    `account=${s.account ?? "-"} pending=${s.queue.pending} active=${s.queue.active} done=${s.queue.done} failed=${s.queue.failed} ${delegationText(s)}`,
    ...s.sessions.map((x) => `${x.name} ${x.phase}${x.task === null ? "" : ` ${x.task}`}`),
  ].join(" | ")

/** One failover, as a line: `failover main -> backup (reason): swapped, relaunched a, b`. */
export const failoverLine = (e: FailoverEvent): string =>
  `failover ${e.from ?? "-"} -> ${e.to ?? "-"} (${e.reason}): ${e.outcome}, relaunched ${e.relaunched.join(", ") || "none"}` +
  (e.left_at_shell.length > 0 ? `; left at the shell: ${e.left_at_shell.join(", ")}` : "")

/** The panel redrawn on a terminal: account, queue, delegation, one row per session, every failover. */
export const panel = (
  s: DemoSnapshot | undefined,
  failovers: ReadonlyArray<FailoverEvent>,
  elapsedMs: number,
): ReadonlyArray<string> => {
  const head = `ccl demo  ${(elapsedMs / 1000).toFixed(1)} s`
  if (s === undefined) return [head, "  waiting for the daemon..."]
  const d = s.delegation
  return [
    `${head}  account ${s.account ?? "-"}`,
    `  queue       pending ${s.queue.pending}  active ${s.queue.active}  done ${s.queue.done}  failed ${s.queue.failed}`,
    d === undefined
      ? "  delegation  off"
      : `  delegation  submitted ${d.submitted}  active ${d.active}  completed ${d.completed}  failed ${d.failed}`,
    "  sessions",
    ...s.sessions.map(
      (x) =>
        `    ${x.name.padEnd(16)} ${x.kind.padEnd(10)} ${(x.account ?? "-").padEnd(8)} ${x.phase.padEnd(9)} ${x.task ?? "-"}`,
    ),
    ...(failovers.length === 0 ? ["  failover    none yet"] : failovers.map((e) => `  ${failoverLine(e)}`)),
  ]
}

/**
 * Terminal bytes that replace the `previous` lines last drawn with `lines` (cursor up, clear to the end). Lines
 * are cut to `width` columns: a wrapped line would throw the next cursor-up off.
 */
export const redraw = (
  previous: number,
  lines: ReadonlyArray<string>,
  width = Number.POSITIVE_INFINITY,
): string =>
  `${previous > 0 ? `\x1b[${previous}A\r\x1b[J` : ""}${lines.map((l) => `${l.length >= width ? `${l.slice(0, Math.max(1, width - 2))}…` : l}\n`).join("")}`

/** What plain (non-terminal) output prints for a new snapshot: a line when it changed, one per new failover. */
export const plainUpdate = (
  at: Date,
  snapshot: DemoSnapshot | undefined,
  failovers: ReadonlyArray<FailoverEvent>,
  seen: { readonly line: string; readonly failovers: number },
): {
  readonly lines: ReadonlyArray<string>
  readonly seen: { readonly line: string; readonly failovers: number }
} => {
  const line = snapshot === undefined ? seen.line : statusLine(snapshot)
  const lines = [
    ...(line !== seen.line ? [`${clock(at)} ${line}`] : []),
    ...failovers.slice(seen.failovers).map((e) => `${clock(at)} ${failoverLine(e)}`),
  ]
  return { lines, seen: { line, failovers: Math.max(seen.failovers, failovers.length) } }
}
