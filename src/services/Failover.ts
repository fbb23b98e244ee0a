import { Context, Data, type Effect } from "effect"

/** Why a swap happened: a usage-limit hit seen on a session, the operator, or the end of a cooldown. */
export interface SwapTrigger {
  readonly reason: string
  /** The account that hit its limit (it cools down); undefined for an operator's swap. */
  readonly exhausted?: string | undefined
  /** When the exhausted account's limit resets (ms), if the message said. */
  readonly resetAt?: number | undefined
  /** The account to move to (`ccl failover swap --to`); default: the next one not cooling down. */
  readonly to?: string | undefined
  /** Move to `to` even while it is cooling down. */
  readonly force?: boolean | undefined
}

/** What a swap did (DESIGN.md "Failover" step 7). */
export interface SwapOutcome {
  readonly outcome: "swapped" | "waiting" | "ignored"
  readonly from: string | null
  readonly to: string | null
  readonly relaunched: ReadonlyArray<string>
  readonly leftAtShell: ReadonlyArray<string>
  /** For "waiting": dispatching is paused until then (ms). */
  readonly until?: number
  readonly message: string
}

/** A swap that was not done: no account to move to, or the target's shared links are broken. Nothing touched. */
export class FailoverRefused extends Data.TaggedError("FailoverRefused")<{ readonly reason: string }> {}

export interface FailoverStatus {
  readonly active: string | null
  readonly swapping: boolean
  /** ISO time dispatching is paused until (every account cooling down), or null. */
  readonly paused_until: string | null
  /** Account name -> ISO time its limit resets. */
  readonly cooldowns: Readonly<Record<string, string>>
  /** The last swaps, newest last. */
  readonly history: ReadonlyArray<unknown>
}

/**
 * Moves every session to another account when one hits its usage limit (DESIGN.md "Failover"): one swap at a
 * time, dispatching paused while it runs, conversations resumed from saved resume ids. The daemon's
 * implementation is makeAccountSwap (src/programs/daemon/AccountSwap.ts): it works on the dispatcher's sessions.
 */
export class Failover extends Context.Tag("ccl/Failover")<
  Failover,
  {
    readonly swap: (trigger: SwapTrigger) => Effect.Effect<SwapOutcome, FailoverRefused>
    readonly status: Effect.Effect<FailoverStatus>
  }
>() {}
