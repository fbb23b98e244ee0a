import { Effect, Layer, Queue } from "effect"
import { TmuxEvents } from "../services/TmuxEvents.js"

/** No notifications (the process-per-command layer, the in-memory one): sessions are read on a timer. */
export const TmuxEventsNone = Layer.succeed(
  TmuxEvents,
  TmuxEvents.of({
    live: false,
    subscribe: Effect.acquireRelease(Queue.unbounded<never>(), Queue.shutdown),
  }),
)
