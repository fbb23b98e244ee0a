import { Command, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit } from "effect"
import { daemonCommand, statusCommand } from "./DaemonCommand.js"
import { makeDecideCommand } from "./DecideCommand.js"
import { delegateCommand } from "./DelegateCommand.js"
import { toExitCode } from "./failure.js"
import { hookCommand, hooksCommand } from "./HooksCommand.js"
import { initCommand } from "./InitCommand.js"
import { mockSecutoolsCommand } from "./MockSecutoolsCommand.js"
import { queueCommand } from "./QueueCommand.js"
import { simAgentCommand } from "./SimAgentCommand.js"

export const VERSION = "0.1.0"

export const cclCommand = Command.make("ccl").pipe(
  Command.withDescription("Claude Code pool: task queue, routing, account failover, delegation"),
  Command.withSubcommands([
    initCommand,
    queueCommand,
    makeDecideCommand("decide"),
    delegateCommand,
    daemonCommand,
    statusCommand,
    hooksCommand,
    hookCommand,
    mockSecutoolsCommand,
    simAgentCommand,
  ]),
)

const run = Command.run(cclCommand, { name: "ccl", version: VERSION })

/** The full CLI: parse argv with @effect/cli, run the command, exit 0/1/2 (130 on interrupt). */
export const runCli = (argv: ReadonlyArray<string>) => {
  let usageError = false
  // SIGTERM is the normal way to stop the daemon: exit 0 after the clean shutdown, not 130.
  let terminated = false
  process.once("SIGTERM", () => {
    terminated = true
  })
  NodeRuntime.runMain(
    run(argv).pipe(
      // @effect/cli has already printed what was wrong with the command line.
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
