import { type Duration, Effect } from "effect"
import { failure } from "../cli/failure.js"

/** Runs `check` every `every` until it returns a value. */
export const pollUntil = <A, E>(
  check: Effect.Effect<A | undefined, E>,
  every: Duration.DurationInput,
): Effect.Effect<A, E> =>
  Effect.flatMap(check, (a) =>
    a !== undefined ? Effect.succeed(a) : Effect.zipRight(Effect.sleep(every), pollUntil(check, every)),
  )

/** pollUntil, failing with `message` after `ms`. */
export const waitFor = <A, E>(
  check: Effect.Effect<A | undefined, E>,
  ms: number,
  every: Duration.DurationInput,
  message: () => string,
) => pollUntil(check, every).pipe(Effect.timeoutFail({ duration: ms, onTimeout: () => failure(message()) }))
