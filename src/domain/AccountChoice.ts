/** Which account a failover moves to (DESIGN.md "Failover" step 1). Pure: the caller passes the clock. */

/** How long an account that hit its limit rests when the message named no reset time. */
export const DEFAULT_COOLDOWN_MS = 5 * 60 * 60 * 1000

export interface AccountRef {
  readonly name: string
  readonly home: string
}

export type TargetChoice =
  | { readonly kind: "swap"; readonly to: AccountRef }
  /** Every account is cooling down: pause dispatching until the earliest reset, then swap to that account. */
  | { readonly kind: "wait"; readonly until: number; readonly to: AccountRef }
  | { readonly kind: "refused"; readonly reason: string }

/** Cooldowns still running at `now` (account name -> reset time, ms). */
export const activeCooldowns = (
  cooldowns: Readonly<Record<string, string>>,
  now: number,
): ReadonlyMap<string, number> =>
  new Map(
    Object.entries(cooldowns)
      .map(([name, iso]) => [name, Date.parse(iso)] as const)
      .filter(([, until]) => Number.isFinite(until) && until > now),
  )

/**
 * The next account after `active` in config order that is not cooling down (wrapping round), or the one
 * asked for by name. The active account itself is a target only when it is no longer cooling down and
 * nothing else is (swap back after the reset).
 */
export const chooseTarget = (input: {
  readonly accounts: ReadonlyArray<AccountRef>
  readonly active: string | undefined
  readonly cooldowns: Readonly<Record<string, string>>
  readonly now: number
  readonly requested?: string | undefined
  /** Move to `requested` even while it is cooling down (`ccl failover swap --to NAME --force`). */
  readonly force?: boolean | undefined
}): TargetChoice => {
  const { accounts, active, now, requested } = input
  if (accounts.length === 0)
    return { kind: "refused", reason: "no accounts configured: add `accounts:` to ccl.yaml" }
  const cooling = activeCooldowns(input.cooldowns, now)
  if (requested !== undefined) {
    const to = accounts.find((a) => a.name === requested)
    if (to === undefined)
      return {
        kind: "refused",
        reason: `no account named ${JSON.stringify(requested)} (configured: ${accounts.map((a) => a.name).join(", ")})`,
      }
    if (to.name === active) return { kind: "refused", reason: `account ${to.name} is already active` }
    const resting = cooling.get(to.name)
    if (resting !== undefined && input.force !== true)
      return {
        kind: "refused",
        reason: `account ${to.name} is cooling down until ${new Date(resting).toISOString()}: add --force to move there anyway`,
      }
    return { kind: "swap", to }
  }
  const start = Math.max(
    0,
    accounts.findIndex((a) => a.name === active),
  )
  for (let i = 1; i <= accounts.length; i++) {
    const candidate = accounts[(start + i) % accounts.length]!
    if (candidate.name === active && i < accounts.length) continue
    if (!cooling.has(candidate.name)) {
      if (candidate.name === active) break
      return { kind: "swap", to: candidate }
    }
  }
  const earliest = [...cooling.entries()].sort((a, b) => a[1] - b[1])[0]
  if (earliest === undefined || (active !== undefined && !cooling.has(active))) {
    const resting = [...cooling.entries()].map(([n, t]) => `${n} until ${new Date(t).toISOString()}`)
    return {
      kind: "refused",
      reason: `no other account to move to${resting.length > 0 ? ` (cooling down: ${resting.join(", ")})` : ""}`,
    }
  }
  // Every account is cooling down: wait for the earliest reset.
  const to = accounts.find((a) => a.name === earliest[0])!
  return { kind: "wait", until: earliest[1], to }
}

/** When an account that hit its limit at `now` may be used again. */
export const cooldownUntil = (resetAt: number | undefined, now: number): number =>
  resetAt !== undefined && resetAt > now ? resetAt : now + DEFAULT_COOLDOWN_MS
