import { Context, type Effect } from "effect"

/** A task past its deadline: the task's `timeout`, else `watchdog.stale_after`, counted from its first send. */
export interface StaleTask {
  readonly task: string
  readonly session: string
  readonly attempt: number
  readonly since: string
}

/** The watchdog (DESIGN.md "Watchdog"): flags tasks past their deadline, on a loop every `watchdog.every`. */
export class Watchdog extends Context.Tag("ccl/Watchdog")<
  Watchdog,
  {
    /** The tasks in flight past their deadline now (for /watchdog/status). */
    readonly stale: Effect.Effect<ReadonlyArray<StaleTask>>
    /** Forever: each newly stale task reported once per attempt. */
    readonly run: Effect.Effect<never>
  }
>() {}
