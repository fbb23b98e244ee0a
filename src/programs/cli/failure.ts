import { Cause, Console, Data, Effect } from "effect"

/** A command's own failure: one line for stderr and the exit code (1 failure, 2 bad usage or input). */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly message: string
  readonly code: 1 | 2
}> {}

export const badInput = (message: string) => new CliFailure({ message, code: 2 })
export const failure = (message: string) => new CliFailure({ message, code: 1 })

interface Tagged {
  readonly _tag: string
  readonly [k: string]: unknown
}

/** Turns any error a command can end with into one stderr line and an exit code. */
export const describeError = (error: unknown): { readonly line: string; readonly code: number } => {
  const e = error as Tagged
  switch (e?._tag) {
    case "CliFailure":
      return { line: String(e.message), code: Number(e.code) }
    case "ConfigInvalid":
      return { line: String(e.message), code: 2 }
    case "InvalidTask":
      return { line: `task ${e.id}: ${e.reason}`, code: 2 }
    case "TaskExists":
      return {
        line: `task ${e.id} already exists in ${e.state}/: choose another id (--id) or remove the old one`,
        code: 2,
      }
    case "TaskElsewhere":
      return { line: `task ${e.id} is in ${e.state}/: not where this command takes it from`, code: 2 }
    case "TaskNotFound":
      return { line: `task ${e.id} not found in ${e.where}`, code: 1 }
    case "StateFileError":
      return { line: `cannot ${e.op} the daemon's state file ${e.file}: ${e.message}`, code: 1 }
    case "QueueIOError":
      return { line: `cannot ${e.op} ${e.path}: ${e.message}`, code: 1 }
    case "DelegationDisabled":
      return {
        line: "delegation is off: set SECUTOOLS_API_KEY (and SECUTOOLS_URL or delegation.url in ccl.yaml)",
        code: 2,
      }
    case "SecutoolsHttpError":
      return { line: `secutools answered ${e.status}: ${e.message}`, code: 1 }
    case "SecutoolsTransportError":
    case "SecutoolsDecodeError":
    case "SecutoolsTimeout":
      return { line: `secutools: ${e.message}`, code: 1 }
    case "AlreadyClaimed":
      return { line: `task ${e.id} is already delegated or no longer pending`, code: 1 }
    case "SubmitRejected":
      return { line: `task ${e.id} rejected, moved to failed/: ${e.message}`, code: 1 }
    case "SubmitDeferred":
      return {
        line: `task ${e.id}: ${e.message}; its marker keeps the idempotency key and "ccl delegate reap" submits it again`,
        code: 1,
      }
    case "MarkerCorrupt":
      return {
        line: `delegation marker ${e.path} is corrupt (${e.reason}): move it aside and resubmit`,
        code: 1,
      }
  }
  if (Cause.isCause(error)) return { line: Cause.pretty(error).split("\n")[0] ?? "unknown error", code: 1 }
  return { line: error instanceof Error ? error.message : String(error), code: 1 }
}

/** Runs a command's effect to an exit code, printing a failure as one `ccl:` line on stderr. */
export const toExitCode = <R>(effect: Effect.Effect<void, unknown, R>): Effect.Effect<number, never, R> =>
  effect.pipe(
    Effect.as(0),
    Effect.catchAll((error) => {
      const { line, code } = describeError(error)
      return Console.error(`ccl: ${line}`).pipe(Effect.as(code))
    }),
    Effect.catchAllDefect((defect) =>
      Console.error(`ccl: internal error: ${defect instanceof Error ? defect.message : String(defect)}`).pipe(
        Effect.as(1),
      ),
    ),
  )
