import { Context, type Effect } from "effect"

/** One rate-limit window of an account as Claude Code's statusline reports it. */
export interface WindowQuota {
  /** 0-100. */
  readonly used_percentage: number
  /** ISO time the window resets, when known. */
  readonly resets_at: string | null
}

/** What the daemon knows of an account's quota: each window, when it was last seen and from which session. */
export interface AccountQuota {
  readonly account: string
  readonly five_hour: WindowQuota | null
  readonly seven_day: WindowQuota | null
  /** ISO time of the last report. */
  readonly seen_at: string
  readonly session: string | null
}

/** A report from one session (statusline JSON, or the reset of a limit hit) about its account. */
export interface QuotaReport {
  readonly account: string
  readonly session: string | null
  readonly five_hour?: WindowQuota | undefined
  readonly seven_day?: WindowQuota | undefined
}

/**
 * Per-account quota (issue 14 "Quota intake"): kept from the statusline reports of the sessions (and limit hits),
 * read by the scheduling policy, `ccl status`, `ccl accounts list` and `GET /api/accounts`.
 */
export class AccountQuotas extends Context.Tag("ccl/AccountQuotas")<
  AccountQuotas,
  {
    readonly report: (r: QuotaReport) => Effect.Effect<void>
    /** The latest known quota of `account`, if any report came. */
    readonly get: (account: string) => AccountQuota | undefined
    readonly all: () => ReadonlyArray<AccountQuota>
    /**
     * Drops what is known of `account` (until its sessions report again): the operator says it has room (a swap
     * forced onto it, its cooldown cleared), and the policy must not move away from it on a reading from before.
     */
    readonly forget: (account: string) => Effect.Effect<void>
  }
>() {}
