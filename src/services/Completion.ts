import { Context, type Effect } from "effect"
import type { SessionRecord } from "../domain/SessionTable.js"
import type { StateFileError } from "./StateStore.js"
import type { QueueIOError } from "./TaskQueue.js"

/**
 * How a session's turn ends: its task filed in done/ (from the Stop hook with the reply, or from the screen), an
 * error (the attempt failed), or the usage limit (the session keeps its task; the failover takes it from there). Callers hold the lock.
 */
export class Completion extends Context.Tag("ccl/Completion")<
  Completion,
  {
    readonly file: (
      r: SessionRecord,
      via: "hook" | "screen",
      text?: string | undefined,
    ) => Effect.Effect<void, QueueIOError | StateFileError>
    /** The turn ended in an error that is not a limit (StopFailure): a failed attempt (AttemptLog.ts "agent_error"). */
    readonly failedTurn: (
      r: SessionRecord,
      detail: string,
    ) => Effect.Effect<void, QueueIOError | StateFileError>
    readonly limited: (
      r: SessionRecord,
      resetAt: Date | undefined,
      via: "screen" | "hook" | "transcript",
    ) => Effect.Effect<void>
  }
>() {}
