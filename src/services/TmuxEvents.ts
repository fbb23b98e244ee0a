import { Context, type Effect, type Queue, type Scope } from "effect"
import type { TmuxNotification } from "../domain/TmuxControlProtocol.js"

export type { TmuxNotification } from "../domain/TmuxControlProtocol.js"

/**
 * What the tmux server reports on its own (only the control-mode TmuxPool provides this): `%output` from the
 * panes of the sessions ccl created or found with `has` (a pane that printed has a screen worth reading),
 * sessions and windows coming and going, `%exit` when the connection closes. Coalescing is the consumer's.
 */
export class TmuxEvents extends Context.Tag("ccl/TmuxEvents")<
  TmuxEvents,
  {
    /** Whether notifications come at all (control mode); without them screens are read on a timer. */
    readonly live: boolean
    /** A queue of every notification from now on, until the scope closes (past 10 000 unread, new ones are lost). */
    readonly subscribe: Effect.Effect<Queue.Dequeue<TmuxNotification>, never, Scope.Scope>
  }
>() {}
