// The demo's closing summary, pure: result footers of done/, the failover history and the dedicated session's
// screen turned into lines, plus what the demo failed to show (an empty list when it showed everything).

import type { ResultFooter } from "../../domain/ResultFooter.js"
import { type FailoverEvent, failoverLine } from "./DemoProgress.js"

export interface FinishedTask {
  readonly id: string
  /** Undefined when done/ holds the file without a readable footer. */
  readonly footer: ResultFooter | undefined
}

export interface SummaryInput {
  readonly done: ReadonlyArray<FinishedTask>
  readonly expected: number
  readonly failovers: ReadonlyArray<FailoverEvent>
  readonly dedicated: {
    readonly name: string
    /** The `Resumed conversation ...` line found on its screen, if any (see resumedLine). */
    readonly resumed: string | undefined
    readonly account: string
  }
  readonly elapsedMs: number
  readonly dir: string
  /** Whether the folder is still there (--keep, or its removal failed). */
  readonly kept: boolean
  readonly socket: string
  /** How to run this ccl (`/usr/bin/node /path/dist/ccl.mjs`), for the hint after --keep. */
  readonly ccl: string
}

/** The `Resumed conversation <id> (N messages) under <home>` line of a pane, only when it names `home`. */
export const resumedLine = (pane: string, home: string): string | undefined =>
  pane
    .split("\n")
    .map((l) => l.trim())
    .find((l) => /^Resumed conversation \S+ \(\d+ messages?\)/.test(l) && l.endsWith(`under ${home}`))

const usd = (n: number) => `$${n.toFixed(4)}`

/** Tasks per route and provider, with their cost; sorted by route then provider. */
export const byRoute = (done: ReadonlyArray<FinishedTask>) => {
  const rows = new Map<string, { route: string; provider: string; tasks: number; cost: number }>()
  for (const { footer } of done) {
    const route = footer?.route ?? "unknown"
    const provider = footer?.provider ?? "unknown"
    const key = `${route} ${provider}`
    const row = rows.get(key) ?? { route, provider, tasks: 0, cost: 0 }
    rows.set(key, { ...row, tasks: row.tasks + 1, cost: row.cost + (footer?.cost_usd ?? 0) })
  }
  return [...rows.values()].sort((a, b) =>
    a.route === b.route ? a.provider.localeCompare(b.provider) : a.route.localeCompare(b.route),
  )
}

/** The swaps that happened (outcome `swapped`). */
const swaps = (failovers: ReadonlyArray<FailoverEvent>) => failovers.filter((e) => e.outcome === "swapped")

/** The summary printed at the end of the demo. */
export const summaryLines = (input: SummaryInput): ReadonlyArray<string> => {
  const rows = byRoute(input.done)
  const delegated = rows.filter((r) => r.route === "delegated")
  const local = input.done.filter((t) => t.footer?.route === "local")
  const accounts = new Map<string, Array<string>>()
  for (const t of local) {
    const a = t.footer?.account ?? "-"
    accounts.set(a, [...(accounts.get(a) ?? []), t.id])
  }
  const swapped = swaps(input.failovers)
  return [
    `ccl demo: ${input.done.length}/${input.expected} tasks done in ${(input.elapsedMs / 1000).toFixed(1)} s`,
    `  ${"route".padEnd(10)} ${"provider".padEnd(12)} ${"tasks".padStart(5)}  cost`,
    ...rows.map(
      (r) =>
        `  ${r.route.padEnd(10)} ${r.provider.padEnd(12)} ${String(r.tasks).padStart(5)}  ${r.route === "delegated" ? usd(r.cost) : "-"}`,
    ),
    `  delegated: ${delegated.reduce((n, r) => n + r.tasks, 0)} tasks to ${delegated.map((r) => r.provider).join(", ") || "none"}, total cost ${usd(delegated.reduce((n, r) => n + r.cost, 0))}`,
    ...(swapped.length === 0
      ? ["failover: none happened"]
      : swapped.map(
          (e) =>
            `failover: ${e.from ?? "-"} -> ${e.to ?? "-"} (${e.reason}), ${e.relaunched.length} sessions relaunched: ${e.relaunched.join(", ") || "none"}`,
        )),
    ...input.failovers.filter((e) => e.outcome !== "swapped").map((e) => `  not swapped: ${failoverLine(e)}`),
    `local tasks by account: ${[...accounts].map(([a, ids]) => `${a} ${ids.length}`).join(", ") || "none"}`,
    ...local.map(
      (t) => `  ${t.id.padEnd(24)} ${(t.footer?.account ?? "-").padEnd(8)} ${t.footer?.session ?? "-"}`,
    ),
    input.dedicated.resumed === undefined
      ? `dedicated: ${input.dedicated.name} was NOT seen resumed under ${input.dedicated.account}`
      : `dedicated: ${input.dedicated.name} resumed under ${input.dedicated.account}: ${input.dedicated.resumed}`,
    `tmux: the server on socket ${input.socket} was stopped`,
    ...(input.kept
      ? [
          `files: kept in ${input.dir}: queue/done/ (results), daemon.log, state/state.json, ccl.yaml`,
          `  run the pool again: ${input.ccl} daemon --config ${input.dir}/ccl.yaml`,
          `  then watch a session: tmux -L ${input.socket} attach -t ccl-pool-1`,
        ]
      : [`files: ${input.dir} was removed (run "ccl demo --keep" to keep it)`]),
  ]
}

/** What the demo should have shown and did not, one line each; empty when the run is a success. */
export const summaryProblems = (input: SummaryInput): ReadonlyArray<string> => {
  const problems: Array<string> = []
  if (input.done.length !== input.expected)
    problems.push(`${input.done.length} of ${input.expected} tasks are in done/`)
  const unreadable = input.done.filter((t) => t.footer === undefined).map((t) => t.id)
  if (unreadable.length > 0) problems.push(`no result footer in done/ for ${unreadable.join(", ")}`)
  if (swaps(input.failovers).length === 0) problems.push("no failover happened")
  if (input.dedicated.resumed === undefined)
    problems.push(
      `the dedicated session ${input.dedicated.name} did not show its conversation resumed under ${input.dedicated.account}`,
    )
  return problems
}
