import { Context, Data, type Effect } from "effect"
import type { SwapRecord } from "../domain/DaemonState.js"

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
  /** Asked again when the swap's turn comes (swaps run one at a time): false drops it (a quota swap overtaken). */
  readonly stillWanted?: (() => boolean) | undefined
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
  readonly history: ReadonlyArray<SwapRecord>
}

/** A session hit its account's usage limit (screen, hook or transcript): the failover's trigger. */
export interface LimitHit {
  readonly session: string
  readonly account: string | undefined
  readonly resetAt: number | undefined
  readonly via: "screen" | "hook" | "transcript"
}

/**
 * Moves every session to another account when one hits its usage limit (DESIGN.md "Failover"): one swap at a
 * time, dispatching paused while it runs, conversations resumed from saved resume ids. The live layer is
 * AccountSwapLive (src/programs/daemon): it works on the DaemonSessions through the SessionSupervisor.
 */
export class Failover extends Context.Tag("ccl/Failover")<
  Failover,
  {
    readonly swap: (trigger: SwapTrigger) => Effect.Effect<SwapOutcome, FailoverRefused>
    readonly status: Effect.Effect<FailoverStatus>
    /** A session reports a limit hit: it becomes a swap request (late duplicates are ignored). */
    readonly report: (hit: LimitHit) => Effect.Effect<void>
    /** A swap a crash interrupted (journal in state.json): finished before sessions are adopted. */
    readonly completeInterrupted: Effect.Effect<void>
    /**
     * After the sessions are adopted: the active account is cooling down (the daemon stopped between a limit hit
     * and its swap's journal), so the swap runs now.
     */
    readonly swapIfActiveCooling: Effect.Effect<void>
    /**
     * The operator cleared a cooldown (`ccl failover clear`) while every account was spent: the wait for the reset
     * is dropped, and the reset's move happens now (to the active account again when it has room, resuming its
     * limited sessions; else to the next account with room).
     */
    readonly cooldownCleared: (reason: string) => Effect.Effect<SwapOutcome, FailoverRefused>
    /** Forever: takes the reported hits one at a time. */
    readonly runTriggers: Effect.Effect<never>
  }
>() {}
