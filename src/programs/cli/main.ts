import { Command } from "@effect/cli"
import type { CommandSpec } from "../../domain/CommandSpec.js"
import { accountsCommand } from "./AccountsCommand.js"
import { attachCommand } from "./AttachCommand.js"
import { makeCompletionCommand } from "./CompletionCommand.js"
import { commandSpecOf } from "./commandSpecOf.js"
import { daemonCommand } from "./DaemonCommand.js"
import { makeDecideCommand } from "./DecideCommand.js"
import { delegateCommand } from "./DelegateCommand.js"
import { demoCommand } from "./DemoCommand.js"
import { failoverCommand } from "./FailoverCommand.js"
import { hookCommand, hooksCommand } from "./HooksCommand.js"
import { initCommand } from "./InitCommand.js"
import { logsCommand } from "./LogsCommand.js"
import { mockAnthropicCommand } from "./MockAnthropicCommand.js"
import { mockSecutoolsCommand } from "./MockSecutoolsCommand.js"
import { notifyCommand } from "./NotifyCommand.js"
import { queueCommand } from "./QueueCommand.js"
import { runCommandLine } from "./runCommandLine.js"
import { serviceCommand } from "./ServiceCommand.js"
import { simAgentCommand } from "./SimAgentCommand.js"
import { statusCommand } from "./StatusCommand.js"
import { stopCommand } from "./StopCommand.js"

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
    stopCommand,
    logsCommand,
    attachCommand,
    serviceCommand,
    hooksCommand,
    accountsCommand,
    failoverCommand,
    notifyCommand,
    hookCommand,
    mockSecutoolsCommand,
    mockAnthropicCommand,
    simAgentCommand,
    demoCommand,
    makeCompletionCommand(cclTree),
  ]),
)

/** The whole command tree, for the completion script (a declaration, so the tree can include that command). */
function cclTree(): CommandSpec {
  return commandSpecOf(cclCommand)
}

/** The full CLI: parse argv with @effect/cli, run the command, exit 0/1/2 (130 on interrupt). */
export const runCli = (argv: ReadonlyArray<string>) => runCommandLine(cclCommand, VERSION, argv)
