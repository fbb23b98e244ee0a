import { Command, Options } from "@effect/cli"
import { runDemo } from "../demo/Demo.js"

/** `ccl demo [--keep]`: the whole mission on this machine with simulated agents and a mock secutools. */
export const demoCommand = Command.make(
  "demo",
  {
    keep: Options.boolean("keep").pipe(
      Options.withDescription("keep the temporary folder (queue, state, daemon.log) at the end"),
    ),
  },
  ({ keep }) => runDemo({ keep }),
).pipe(
  Command.withDescription(
    "Run the whole mission on this machine: a pool of simulated agents in a private tmux server, a dozen tasks (some delegated to a mock secutools), a usage limit and the failover to a second account, then a summary",
  ),
)
