// Test entry: `node <bundle> sim-agent ...` runs simAgentCommand the way src/programs/cli/main.ts runs commands.
import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import { toExitCode } from "../../src/programs/cli/failure.js"
import { simAgentCommand } from "../../src/programs/cli/SimAgentCommand.js"

const cli = Command.run(Command.make("ccl").pipe(Command.withSubcommands([simAgentCommand])), {
  name: "ccl",
  version: "test",
})

let usageError = false
NodeRuntime.runMain(
  cli(process.argv).pipe(
    Effect.catchIf(ValidationError.isValidationError, () =>
      Effect.sync(() => {
        usageError = true
      }),
    ),
    toExitCode,
    Effect.map((code) => (usageError ? 2 : code)),
    Effect.provide(NodeContext.layer),
  ),
  {
    disableErrorReporting: true,
    teardown: (exit, onExit) =>
      onExit(Exit.isSuccess(exit) ? Number(exit.value) : Cause.isInterruptedOnly(exit.cause) ? 130 : 1),
  },
)
