import { Context, type Effect } from "effect"
import type { HookRecord } from "../domain/HookRecord.js"
import type { StateFileError } from "./StateStore.js"
import type { QueueIOError } from "./TaskQueue.js"

/**
 * Claude Code's hook events, as the installed hook command spools them (<state>/hooks/new/), or as `ccl hook`
 * relays them (POST /api/hooks, or the events file when the daemon was down or slow), decoded by the HookRecord
 * Schema: they tell a session's state, its conversation id, which prompt carries its task, and when its turn
 * ends (Stop files the task; StopFailure rate_limit is a usage limit).
 */
export class HookIntake extends Context.Tag("ccl/HookIntake")<
  HookIntake,
  {
    readonly accept: (record: HookRecord) => Effect.Effect<void, QueueIOError | StateFileError>
    /** At start: the events file replayed and the spool read once; how many events. */
    readonly replay: Effect.Effect<number>
    /** Forever: the spool read as files land (polled every 1 s too), the events file replayed every 2 s. */
    readonly runReplay: Effect.Effect<never>
  }
>() {}
