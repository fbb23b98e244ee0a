import { type CliApp, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect as E, type Effect, Exit } from "effect"
import { toExitCode } from "./failure.js"

/**
 * Runs an @effect/cli command tree as the process: one `ccl:` line per failure, exit 0 ok, 1 failure,
 * 2 bad usage or input, 130 on Ctrl-C, and 0 on SIGTERM (the normal way to stop the daemon).
 */
export const runCommandLine = (
  run: (argv: ReadonlyArray<string>) => Effect.Effect<void, unknown, CliApp.CliApp.Environment>,
  argv: ReadonlyArray<string>,
) => {
  let usageError = false
  let terminated = false
  process.once("SIGTERM", () => {
    terminated = true
  })
  NodeRuntime.runMain(
    run(argv).pipe(
      // @effect/cli has already printed what was wrong with the command line.
      E.catchIf(ValidationError.isValidationError, () =>
        E.sync(() => {
          usageError = true
        }),
      ),
      toExitCode,
      E.map((code) => (usageError ? 2 : code)),
      E.provide(NodeContext.layer),
    ),
    {
      disableErrorReporting: true,
      teardown: (exit, onExit) =>
        onExit(
          Exit.isSuccess(exit)
            ? Number(exit.value)
            : Cause.isInterruptedOnly(exit.cause)
              ? terminated
                ? 0
                : 130
              : 1,
        ),
    },
  )
}
