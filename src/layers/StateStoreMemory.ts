import { Effect, Layer } from "effect"
import { type DaemonState, emptyDaemonState } from "../domain/DaemonState.js"
import { StateFileError, StateStore } from "../services/StateStore.js"

/** What a unit test can see and do to the in-memory state store. */
export interface StateScript {
  /** The next `n` writes fail as a full disk would (the change stays in memory, as in the file layer). */
  readonly failWrites: (n: number) => void
  /** How many writes succeeded. */
  readonly writes: () => number
}

/** The state store in memory, for unit tests of the daemon's services. */
export const makeStateStoreMemory = (initial: DaemonState = emptyDaemonState) =>
  Effect.sync(() => {
    let state = initial
    let failing = 0
    let writes = 0
    const service = StateStore.of({
      get: () => state,
      update: (f) =>
        Effect.suspend(() => {
          state = f(state)
          if (failing > 0) {
            failing--
            return Effect.fail(
              new StateFileError({ file: "memory", op: "write", message: "no space left on device" }),
            )
          }
          writes++
          return Effect.succeed(state)
        }),
    })
    const script: StateScript = {
      failWrites: (n) => {
        failing = n
      },
      writes: () => writes,
    }
    return { service, script }
  })

export const StateStoreMemory = Layer.effect(
  StateStore,
  Effect.map(makeStateStoreMemory(), (m) => m.service),
)
