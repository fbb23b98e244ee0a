import { Command } from "@effect/cli"
import { addCommand } from "./queue/Add.js"
import { cancelCommand } from "./queue/Cancel.js"
import { listCommand } from "./queue/List.js"
import { removeCommand } from "./queue/Remove.js"
import { retryCommand } from "./queue/Retry.js"
import { showCommand } from "./queue/Show.js"

/** `ccl queue ...`: one file per subcommand in queue/. */
export const queueCommand = Command.make("queue").pipe(
  Command.withDescription("Add, list, inspect, retry, cancel and remove tasks"),
  Command.withSubcommands([addCommand, listCommand, showCommand, retryCommand, cancelCommand, removeCommand]),
)
