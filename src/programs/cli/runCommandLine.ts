import { CliConfig, Command, CommandDescriptor, ValidationError } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Console, Effect, Exit } from "effect"
import { bashCompletion } from "../../domain/BashCompletion.js"
import { type CommandLine, checkCommandLine, commandName } from "../../domain/CommandLineCheck.js"
import { type CommandSpec, commandAt } from "../../domain/CommandSpec.js"
import { helpText } from "../../domain/HelpText.js"
import { commandSpecOf, helpDocText } from "./commandSpecOf.js"
import { toExitCode } from "./failure.js"

/** Help is plain unless a person reads it at a terminal, and never coloured under NO_COLOR (no-color.org). */
const helpColour = () => process.stdout.isTTY === true && !process.env.NO_COLOR

const usageError = (path: ReadonlyArray<string>, message: string) =>
  Console.error(`ccl: ${path.length > 0 ? `${path.join(" ")}: ` : ""}${message}`).pipe(Effect.as(2))

/** What @effect/cli found wrong, as one line: its messages are a paragraph or two of help text. */
const describeValidation = (error: ValidationError.ValidationError, path: ReadonlyArray<string>) => {
  const text = helpDocText(error.error as never)
    .replace(/\s+/g, " ")
    .trim()
  const message = text === "" ? error._tag : text.charAt(0).toLowerCase() + text.slice(1)
  return `${message} (see ${commandName(path)} --help)`
}

/**
 * What the command line asks for, done before (or instead of) @effect/cli's run: help, version, completion
 * and usage errors are ours (one `ccl:` line, exit 2); a command line that parses runs as @effect/cli's.
 */
const dispatch = <Name extends string, R extends NodeContext.NodeContext, E, A>(
  command: Command.Command<Name, R, E, A>,
  spec: CommandSpec,
  version: string,
  line: CommandLine,
  argv: ReadonlyArray<string>,
) => {
  const run = Command.run(command, { name: "ccl", version })
  // Exit 2 for a usage error @effect/cli finds only as it runs (the wizard's): it has printed it already.
  const runIt = Effect.suspend(() => {
    let usage = false
    const noted = Effect.sync(() => {
      usage = true
    })
    return toExitCode(run(argv).pipe(Effect.catchIf(ValidationError.isValidationError, () => noted))).pipe(
      Effect.map((code) => (usage ? 2 : code)),
    )
  })
  switch (line._tag) {
    case "Version":
      return Console.log(`ccl ${version}`).pipe(Effect.as(0))
    case "Help": {
      const width = Math.min(80, process.stdout.columns ?? 80)
      const text = helpText(line.path, commandAt(spec, line.path)!, { width, color: helpColour(), version })
      return Console.log(text).pipe(Effect.as(0))
    }
    case "Bad":
      return usageError(line.path, line.message)
    case "Completions":
      return line.shell === "bash" || line.shell === "sh"
        ? Console.log(bashCompletion(spec)).pipe(Effect.as(0))
        : runIt
    case "Wizard":
      return process.stdin.isTTY === true && process.stdout.isTTY === true
        ? runIt
        : usageError(line.path, "--wizard asks questions: run it in a terminal, not from a pipe or a script")
    case "Run":
      // Parsed once here for @effect/cli's own checks (missing arguments, required flags), so that their
      // message is ours; a command line that passes is parsed again by `run`, which runs it.
      return CommandDescriptor.parse(
        command.descriptor,
        ["ccl", ...argv.slice(2)],
        CliConfig.defaultConfig,
      ).pipe(
        Effect.matchEffect({
          onFailure: (e) =>
            ValidationError.isValidationError(e)
              ? usageError(line.path, describeValidation(e, line.path))
              : runIt,
          onSuccess: (directive) =>
            directive._tag === "UserDefined" && directive.leftover.length > 0
              ? usageError(line.path, `unexpected argument "${directive.leftover[0]}"`)
              : runIt,
        }),
      )
  }
}

/**
 * Runs an @effect/cli command tree as the process: one `ccl:` line per failure, exit 0 ok, 1 failure,
 * 2 bad usage or input, 130 on Ctrl-C, and 0 on SIGTERM (the normal way to stop the daemon).
 */
export const runCommandLine = <Name extends string, R extends NodeContext.NodeContext, E, A>(
  command: Command.Command<Name, R, E, A>,
  version: string,
  argv: ReadonlyArray<string>,
) => {
  let terminated = false
  process.once("SIGTERM", () => {
    terminated = true
  })
  const spec = commandSpecOf(command)
  const line = checkCommandLine(spec, argv.slice(2))
  NodeRuntime.runMain(
    // R is at most NodeContext, provided here whole (TypeScript cannot see it in a generic).
    dispatch(command, spec, version, line, argv).pipe(
      Effect.provide(NodeContext.layer),
    ) as Effect.Effect<number>,
    {
      disableErrorReporting: true,
      // The daemon installs its own plain logger (DaemonLogFile.ts); the pretty one would print every line twice.
      disablePrettyLogger: true,
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
