import { Context, type Effect } from "effect"

/**
 * The dispatch loop: on each wake-up (a task renamed into pending/, a session freed, the 5 s tick) it hands
 * pending tasks, in order, to free pool sessions (Delivery) or to secutools (Delegation), unless DispatchControl
 * says to wait.
 */
export class Dispatcher extends Context.Tag("ccl/Dispatcher")<
  Dispatcher,
  {
    /** Forever: one step per wake-up. */
    readonly run: Effect.Effect<never>
    /** Stops dispatching and waits for the prompts being typed: nothing is left half-sent at exit. */
    readonly drain: Effect.Effect<void>
  }
>() {}
