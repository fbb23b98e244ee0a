// Scheduling by quota (issue 14): what the daemon does with an account's used percentage, before any limit hit.

export interface WindowUse {
  /** 0-100. */
  readonly used_percentage: number
  readonly resets_at: string | null
}

export interface QuotaView {
  readonly five_hour: WindowUse | null
  readonly seven_day: WindowUse | null
}

export interface PolicyThresholds {
  readonly swapAtPercent: number
  readonly stopNewTasksAtPercent: number
}

/**
 * The more used window of an account: the one that will stop it first. A window whose reset has passed says
 * nothing any more (the reading is from before it): it is left out until a new report.
 */
export const busiestWindow = (
  q: QuotaView | undefined,
  now: number,
): { readonly window: "five_hour" | "seven_day"; readonly use: WindowUse } | undefined => {
  const windows = (["five_hour", "seven_day"] as const).flatMap((window) => {
    const use = q?.[window]
    if (use === null || use === undefined) return []
    return use.resets_at !== null && Date.parse(use.resets_at) <= now ? [] : [{ window, use }]
  })
  return windows.sort((a, b) => b.use.used_percentage - a.use.used_percentage)[0]
}

/**
 * A limit's reset to the second: the limit line says it to the minute ("resets 4:15pm", read as its next
 * occurrence, so a minute already begun reads as tomorrow); the statusline's window that resets within 90 s of
 * that time (or of a day earlier) says it exactly. Else the line's own.
 */
export const preciseReset = (lineReset: number | undefined, q: QuotaView | undefined): number | undefined => {
  if (lineReset === undefined) return undefined
  const gap = (at: number) => Math.min(Math.abs(at - lineReset), Math.abs(at - (lineReset - 86_400_000)))
  const near = (["five_hour", "seven_day"] as const)
    .flatMap((w) => (q?.[w]?.resets_at ? [Date.parse(q[w]!.resets_at!)] : []))
    .filter((at) => gap(at) <= 90_000)
    .sort((a, b) => gap(a) - gap(b))
  return near[0] ?? lineReset
}

/** What the active account's quota asks for now. */
export type QuotaDecision =
  | { readonly kind: "ok" }
  /** No new local task on it: another account has room (the swap comes at swapAtPercent, or when idle). */
  | { readonly kind: "hold"; readonly reason: string }
  /** Swap now (or at the next quiet moment): `reason` names the signal; `resetAt` is when the window resets. */
  | { readonly kind: "swap"; readonly reason: string; readonly resetAt: number | undefined }

export interface PolicyInput {
  readonly active: string
  readonly quotas: (account: string) => QuotaView | undefined
  /** The other accounts, in failover order, with whether each is cooling down now. */
  readonly others: ReadonlyArray<{ readonly name: string; readonly cooling: boolean }>
  readonly thresholds: PolicyThresholds
  /** Local tasks are waiting to start: holding them on a spent account is worth a swap once it is quiet. */
  readonly tasksWaiting: boolean
  readonly now: number
}

/** An account with room: not cooling down and below the stop threshold (no report yet counts as room). */
const hasRoom = (input: PolicyInput, name: string): boolean => {
  const busiest = busiestWindow(input.quotas(name), input.now)
  return busiest === undefined || busiest.use.used_percentage < input.thresholds.stopNewTasksAtPercent
}

/**
 * Past `swapAtPercent` in any window: swap (when another account has room). Past `stopNewTasksAtPercent`: hold new
 * local tasks, and swap too when tasks are waiting for it (nothing would bring the account to the swap threshold
 * otherwise). With no account to go to, nothing changes: the account runs until its limit, as before.
 */
export const decideQuota = (input: PolicyInput): QuotaDecision => {
  const busiest = busiestWindow(input.quotas(input.active), input.now)
  if (busiest === undefined) return { kind: "ok" }
  const used = busiest.use.used_percentage
  const { swapAtPercent, stopNewTasksAtPercent } = input.thresholds
  if (used < stopNewTasksAtPercent) return { kind: "ok" }
  const target = input.others.find((o) => !o.cooling && hasRoom(input, o.name))
  if (target === undefined) return { kind: "ok" }
  const signal = `${input.active} ${busiest.window} at ${used}%`
  const resetAt = busiest.use.resets_at === null ? undefined : Date.parse(busiest.use.resets_at)
  if (used >= swapAtPercent)
    return { kind: "swap", reason: `quota: ${signal} >= swap_at_percent ${swapAtPercent}`, resetAt }
  if (input.tasksWaiting)
    return {
      kind: "swap",
      reason: `quota: ${signal} >= stop_new_tasks_at_percent ${stopNewTasksAtPercent}, tasks waiting, ${target.name} has room`,
      resetAt,
    }
  return { kind: "hold", reason: `quota: ${signal} >= stop_new_tasks_at_percent ${stopNewTasksAtPercent}` }
}
