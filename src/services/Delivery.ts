import { Context, type Effect } from "effect"
import type { SessionRecord } from "../domain/SessionTable.js"
import type { SessionError } from "./SessionSupervisor.js"
import type { PendingTask } from "./TaskQueue.js"

/**
 * One task into one claimed pool session: the holder committed durably, the prompt pasted (a session whose
 * context is not known fresh is cleared first when pool.fresh_context). Any failure gives the task back (not an
 * attempt: the prompt never went out). `resume` tells a session resumed after a failover to carry on with the
 * task it kept; `clearAfterTurn` gives a pool session whose task was just filed a fresh context at once, so the
 * next dispatch is paste + Enter.
 */
export class Delivery extends Context.Tag("ccl/Delivery")<
  Delivery,
  {
    /** Runs outside the lock (typing into one session never holds up the others); never fails. */
    readonly deliver: (free: SessionRecord, task: PendingTask, attempt: number) => Effect.Effect<void>
    /** Under the lock: the resumed session is idle; it is told to continue its task (or is free again). */
    readonly resume: (r: SessionRecord) => Effect.Effect<void, SessionError>
    /**
     * Under the lock, right after a filing: the session goes `clearing`, and in the background /clear is sent and
     * confirmed on screen (then `ready`), or the agent is replaced when it shows no effect. Never fails.
     */
    readonly clearAfterTurn: (r: SessionRecord) => Effect.Effect<void>
  }
>() {}
