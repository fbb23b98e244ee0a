import { Command } from "@effect/cli"
import { addCommand } from "./queue/Add.js"
import { cancelCommand } from "./queue/Cancel.js"
import { exportCommand } from "./queue/Export.js"
import { importCommand } from "./queue/Import.js"
import { listCommand } from "./queue/List.js"
import { removeCommand } from "./queue/Remove.js"
import { retryCommand } from "./queue/Retry.js"
import { showCommand } from "./queue/Show.js"

/** `ccl queue ...`: one file per subcommand in queue/. */
export const queueCommand = Command.make("queue").pipe(
  Command.withDescription("Add, list, inspect, retry, cancel, remove, import and export tasks"),
  Command.withSubcommands([
    addCommand,
    listCommand,
    showCommand,
    retryCommand,
    cancelCommand,
    removeCommand,
    importCommand,
    exportCommand,
  ]),
)
