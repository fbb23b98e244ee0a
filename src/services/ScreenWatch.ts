import { Context, type Effect } from "effect"

/**
 * Looks at the sessions: one `list-sessions` tells which exist and what runs in them; screens are read for
 * sessions starting, resuming or working (readiness after a launch; a turn's end or a limit when no hook says).
 */
export class ScreenWatch extends Context.Tag("ccl/ScreenWatch")<
  ScreenWatch,
  {
    /** One look at every session. */
    readonly look: Effect.Effect<void>
    /** Forever: a look every `busyMs` while a session is starting or working, else every `idleMs`. */
    readonly run: (busyMs: number, idleMs: number) => Effect.Effect<never>
  }
>() {}
