import { Args, Command } from "@effect/cli"
import { Console } from "effect"
import { bashCompletion } from "../../domain/BashCompletion.js"
import type { CommandSpec } from "../../domain/CommandSpec.js"

/**
 * `ccl completion bash`: the completion script of the whole command tree (`tree` is a function because the
 * tree includes this command). `source <(ccl completion bash)` in ~/.bashrc.
 */
export const makeCompletionCommand = (tree: () => CommandSpec) =>
  Command.make(
    "completion",
    {
      shell: Args.choice([["bash", "bash"]], { name: "SHELL" }).pipe(
        Args.withDescription("only bash so far"),
      ),
    },
    () => Console.log(bashCompletion(tree())),
  ).pipe(Command.withDescription("Print a shell completion script: source <(ccl completion bash)"))
