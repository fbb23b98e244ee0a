import { Command } from "@effect/cli"
import { accountsCommand } from "./AccountsCommand.js"
import { daemonCommand, statusCommand } from "./DaemonCommand.js"
import { makeDecideCommand } from "./DecideCommand.js"
import { delegateCommand } from "./DelegateCommand.js"
import { demoCommand } from "./DemoCommand.js"
import { failoverCommand } from "./FailoverCommand.js"
import { hookCommand, hooksCommand } from "./HooksCommand.js"
import { initCommand } from "./InitCommand.js"
import { mockAnthropicCommand } from "./MockAnthropicCommand.js"
import { mockSecutoolsCommand } from "./MockSecutoolsCommand.js"
import { queueCommand } from "./QueueCommand.js"
import { runCommandLine } from "./runCommandLine.js"
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
    accountsCommand,
    failoverCommand,
    hookCommand,
    mockSecutoolsCommand,
    mockAnthropicCommand,
    simAgentCommand,
    demoCommand,
  ]),
)

const run = Command.run(cclCommand, { name: "ccl", version: VERSION })

/** The full CLI: parse argv with @effect/cli, run the command, exit 0/1/2 (130 on interrupt). */
export const runCli = (argv: ReadonlyArray<string>) => runCommandLine(run, argv)
