import { Console, Effect, type Scope } from "effect"
import { badInput, failure } from "./failure.js"

/**
 * Runs a mock server (`ccl mock-secutools`, `ccl mock-anthropic`) until interrupted. Its first stdout line says
 * where it listens (scripts and tests read it); bad options are exit 2, a port it cannot take exit 1.
 */
export const serveMock = <E extends { readonly reason: string; readonly message: string }>(
  start: Effect.Effect<{ readonly url: string }, E, Scope.Scope>,
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const handle = yield* start.pipe(
        Effect.mapError((e) => (e.reason === "InvalidOptions" ? badInput(e.message) : failure(e.message))),
      )
      yield* Console.log(`listening on ${handle.url}`)
      return yield* Effect.never
    }),
  )
