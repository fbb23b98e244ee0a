import { Duration, Effect, Queue } from "effect"
import type { AgentEvent } from "./SimAgentEvent.js"

// The timers that feed `ccl sim-agent`'s loop: a turn's spinner and end, and a lone ESC's settling.

const SPINNER_EVERY = Duration.millis(100)
/** A lone ESC is the Escape key only if nothing follows it this quickly (else it starts a sequence). */
const ESCAPE_WAIT = Duration.millis(40)

/** Spinner ticks every 100 ms until the work time is up, then WorkDone. */
export const turnClock = (
  events: Queue.Queue<AgentEvent>,
  workMs: number,
  turn: number,
): Effect.Effect<void> => {
  const ticks = Effect.forever(
    Effect.sleep(SPINNER_EVERY).pipe(Effect.zipRight(Queue.offer(events, { _tag: "Tick" }))),
  )
  return Effect.sleep(Duration.millis(workMs)).pipe(
    Effect.raceFirst(ticks),
    Effect.zipRight(Queue.offer(events, { _tag: "WorkDone", turn })),
    Effect.asVoid,
  )
}

/** InputIdle once no more input has followed for ESCAPE_WAIT. */
export const escapeSettle = (events: Queue.Queue<AgentEvent>) =>
  Effect.sleep(ESCAPE_WAIT).pipe(Effect.zipRight(Queue.offer(events, { _tag: "InputIdle" })))
