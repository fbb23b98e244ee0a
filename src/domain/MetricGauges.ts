import { SessionPhases } from "./MetricLabels.js"
import type { Family, Sample } from "./PrometheusText.js"

// The gauges of a scrape, read at scrape time (the queue's folders, the session table, state.json, the quota
// intake, delegation): what is true now, never a count kept since the start.

/** One quota window as the intake keeps it: 0-100. */
interface WindowUsed {
  readonly used_percentage: number
}

/** What a scrape read; a source left undefined (not running, or unreadable) leaves its family out. */
export interface GaugeReadings {
  /** Queue counts by folder (pending, active, done, failed, delegated). */
  readonly tasks?: Readonly<Record<string, number>> | undefined
  /** The phase of every session in the table. */
  readonly sessionPhases: ReadonlyArray<string>
  /** Configured accounts, each shown in the cooldown gauge (0 when it never cooled down). */
  readonly accounts: ReadonlyArray<string>
  /** Account -> ISO time its cooldown ends (state.json). */
  readonly cooldowns?: Readonly<Record<string, string>> | undefined
  readonly quotas?:
    | ReadonlyArray<{
        readonly account: string
        readonly five_hour: WindowUsed | null
        readonly seven_day: WindowUsed | null
      }>
    | undefined
  /** The delegation service's counters (active now; submitted, completed, failed since the daemon started). */
  readonly delegation?: Readonly<Record<string, number>> | undefined
}

const gauge = (name: string, help: string, samples: ReadonlyArray<Sample>): Family => ({
  name,
  help,
  type: "gauge",
  samples,
})

const byLabel = (label: string, counts: Readonly<Record<string, number>>): ReadonlyArray<Sample> =>
  Object.entries(counts).map(([value, n]) => ({ labels: [[label, value]], value: n }))

const DELEGATION_STATES = ["active", "submitted", "completed", "failed"] as const

/** The gauge families of one scrape. */
export const gaugeFamilies = (r: GaugeReadings): ReadonlyArray<Family> => {
  const out: Array<Family> = []
  if (r.tasks !== undefined)
    out.push(
      gauge(
        "ccl_tasks",
        "Tasks in the queue by folder (delegated: handed to secutools)",
        byLabel("state", r.tasks),
      ),
    )
  const phases: Record<string, number> = Object.fromEntries(SessionPhases.map((p) => [p, 0]))
  for (const p of r.sessionPhases) phases[p] = (phases[p] ?? 0) + 1
  out.push(
    gauge(
      "ccl_sessions",
      "Sessions by phase (SessionTable: starting, ready, working...)",
      byLabel("state", phases),
    ),
  )
  if (r.cooldowns !== undefined) {
    const cooldowns = r.cooldowns
    const names = [...new Set([...r.accounts, ...Object.keys(cooldowns)])]
    out.push(
      gauge(
        "ccl_account_cooldown_until_seconds",
        "Unix time an account's usage limit resets (state.json cooldowns; 0: none recorded)",
        names.map((account) => {
          const at = cooldowns[account] === undefined ? Number.NaN : Date.parse(cooldowns[account])
          return { labels: [["account", account]], value: Number.isNaN(at) ? 0 : at / 1000 }
        }),
      ),
    )
  }
  if (r.quotas !== undefined)
    out.push(
      gauge(
        "ccl_account_quota_used_ratio",
        "Share of an account's rate-limit window used, as its sessions' statusline last said (0..1)",
        r.quotas.flatMap((q) =>
          (["five_hour", "seven_day"] as const).flatMap((window) => {
            const w = q[window]
            return w === null
              ? []
              : [
                  {
                    labels: [
                      ["account", q.account],
                      ["window", window],
                    ],
                    value: w.used_percentage / 100,
                  },
                ]
          }),
        ),
      ),
    )
  if (r.delegation !== undefined) {
    const d = r.delegation
    out.push(
      gauge(
        "ccl_delegation_jobs",
        "Delegated jobs: active now; submitted, completed and failed since the daemon started",
        DELEGATION_STATES.map((state) => ({ labels: [["state", state]], value: d[state] ?? 0 })),
      ),
    )
  }
  return out
}
