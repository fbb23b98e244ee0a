import { Clock, Duration, Effect, Queue } from "effect"
import type { TmuxEvents } from "../../services/TmuxEvents.js"

/** Notifications that a session may have come or gone: a look at every session soon. */
const CHANGES = new Set(["sessions-changed", "window-close", "unlinked-window-close", "session-closed"])

export interface EventLoop {
  readonly events: TmuxEvents["Type"]
  /** A look at the sessions whose pane printed or that are named, or at every session. */
  readonly look: (only?: {
    readonly panes: ReadonlySet<string>
    readonly names: ReadonlySet<string>
  }) => Effect.Effect<void>
  /** The sessions that must be read again without output (still starting: two equal reads). */
  readonly unsettled: () => ReadonlyArray<string>
  readonly busyMs: number
  readonly idleMs: number
  /** Output is gathered this long before a look: a redraw is many %output lines. */
  readonly coalesceMs: number
}

/**
 * The screen loop on tmux's notifications (DESIGN.md "Sessions over tmux control mode"): a session's screen is read
 * when its pane printed, coalesced; a starting one again every `busyMs` until it settles; every session every
 * `idleMs`, and soon after a session came or went (the safety net). An idle pool costs nothing between those.
 */
export const runOnEvents = (loop: EventLoop): Effect.Effect<never> =>
  Effect.scoped(
    Effect.gen(function* () {
      const notifications = yield* loop.events.subscribe
      const wake = yield* Queue.sliding<void>(1)
      const printed = new Set<string>()
      let everything = true
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.map(Queue.take(notifications), (n) => {
            if (n._tag === "Output") printed.add(n.paneId)
            else if (n._tag === "Other" && CHANGES.has(n.name)) everything = true
            else return
            Queue.unsafeOffer(wake, undefined)
          }),
        ),
      )
      let lookedAtAll = 0
      for (;;) {
        yield* Effect.sleep(Duration.millis(loop.coalesceMs))
        const now = yield* Clock.currentTimeMillis
        if (everything || now - lookedAtAll >= loop.idleMs) {
          everything = false
          printed.clear()
          lookedAtAll = now
          yield* loop.look()
        } else {
          const only = { panes: new Set(printed), names: new Set(loop.unsettled()) }
          printed.clear()
          if (only.panes.size + only.names.size > 0) yield* loop.look(only)
        }
        const wait = loop.unsettled().length > 0 ? loop.busyMs : loop.idleMs
        yield* Effect.timeout(Queue.take(wake), Duration.millis(wait)).pipe(Effect.ignore)
      }
    }),
  )
