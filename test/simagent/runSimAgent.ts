// Test entry: `node <bundle> sim-agent ...` runs simAgentCommand the way src/programs/cli/main.ts runs commands.
import { Command } from "@effect/cli"
import { runCommandLine } from "../../src/programs/cli/runCommandLine.js"
import { simAgentCommand } from "../../src/programs/cli/SimAgentCommand.js"

runCommandLine(Command.make("ccl").pipe(Command.withSubcommands([simAgentCommand])), "test", process.argv)
