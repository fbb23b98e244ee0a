import { Context, Effect, Layer } from "effect"
import { SessionTable } from "../domain/SessionTable.js"
import { DaemonEvents } from "./DaemonEvents.js"

/** What the dispatch counted since the daemon started (for `ccl status`). */
export interface DispatchCounters {
  dispatched: number
  completed: number
  released: number
  failed: number
}

/**
 * The sessions the daemon runs, shared by its services: the table, the one lock every change to it runs under
 * (so no service sees another's half-done update), the tasks claimed whose prompt is being typed (held by no
 * session yet: not orphans), and the counters.
 */
export class DaemonSessions extends Context.Tag("ccl/DaemonSessions")<
  DaemonSessions,
  {
    readonly table: SessionTable
    readonly locked: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
    readonly delivering: Set<string>
    readonly counters: DispatchCounters
  }
>() {}

export const DaemonSessionsLive = Layer.effect(
  DaemonSessions,
  Effect.gen(function* () {
    const lock = yield* Effect.makeSemaphore(1)
    const events = yield* DaemonEvents
    return {
      // Each change an operator would see is an event (GET /api/events, notifications).
      table: new SessionTable((s) =>
        events.emit({
          type: "session",
          name: s.name,
          phase: s.phase,
          state: s.state,
          account: s.account,
          task: s.task,
          needs_operator: s.needsOperator,
        }),
      ),
      locked: (effect) => lock.withPermits(1)(effect),
      delivering: new Set<string>(),
      counters: { dispatched: 0, completed: 0, released: 0, failed: 0 },
    }
  }),
)
