import { Context, Data, type Effect } from "effect"
import type { DaemonState } from "../domain/DaemonState.js"

/**
 * state.json could not be read at start or written (disk full, permissions). A failed write leaves the change in
 * memory but not durable: the caller decides; the next write that succeeds includes it.
 */
export class StateFileError extends Data.TaggedError("StateFileError")<{
  readonly file: string
  readonly op: "read" | "write"
  readonly message: string
}> {}

/**
 * The daemon's durable state (active account, attempts, holders, cooldowns, swap journal, history). One writer:
 * updates apply in memory in order and each returns once a write that includes it is on disk (writes in a burst
 * share one fsync). The real layer is StateStoreFile (src/layers), the tests' StateStoreMemory.
 */
export class StateStore extends Context.Tag("ccl/StateStore")<
  StateStore,
  {
    /** The current state (in memory: no I/O). */
    readonly get: () => DaemonState
    readonly update: (f: (s: DaemonState) => DaemonState) => Effect.Effect<DaemonState, StateFileError>
  }
>() {}
