import { Context, type Effect } from "effect"
import type { QuotaDecision } from "../domain/QuotaPolicy.js"

/**
 * Scheduling by quota (issue 14): whether the active account may take new local tasks, and the loop that swaps
 * accounts before the limit. The dispatcher tells it how many local tasks wait.
 */
export class QuotaPolicy extends Context.Tag("ccl/QuotaPolicy")<
  QuotaPolicy,
  {
    readonly decide: (now: number) => QuotaDecision
    /** The dispatcher's count of local tasks ready to start (held or not). */
    readonly noteWaiting: (count: number) => void
    /** Forever: looks again at every daemon event, and every 5 s. */
    readonly run: Effect.Effect<never>
  }
>() {}
