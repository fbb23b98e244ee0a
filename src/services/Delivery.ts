import { Context, type Effect } from "effect"
import type { SessionRecord } from "../domain/SessionTable.js"
import type { SessionError } from "./SessionSupervisor.js"
import type { PendingTask } from "./TaskQueue.js"

/**
 * One task into one claimed pool session: fresh context (/clear, confirmed on screen), the holder committed
 * durably, the prompt pasted. Any failure gives the task back (not an attempt: the prompt never went out).
 * `resume` tells a session resumed after a failover to carry on with the task it kept.
 */
export class Delivery extends Context.Tag("ccl/Delivery")<
  Delivery,
  {
    /** Runs outside the lock (typing into one session never holds up the others); never fails. */
    readonly deliver: (free: SessionRecord, task: PendingTask, attempt: number) => Effect.Effect<void>
    /** Under the lock: the resumed session is idle; it is told to continue its task (or is free again). */
    readonly resume: (r: SessionRecord) => Effect.Effect<void, SessionError>
  }
>() {}
