import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { parseLogLine } from "../../domain/LogLine.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { readLog } from "../../layers/LogFileFollow.js"
import { daemonLogPath } from "../../layers/RotatingLogFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import { badInput } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

/** `ccl logs [-f] [-n N] [--json]`: the daemon's `<state>/daemon.log`, like `tail [-F] -n N`. */
export const logsCommand = Command.make(
  "logs",
  {
    follow: Options.boolean("follow").pipe(
      Options.withAlias("f"),
      Options.withDescription(
        "keep printing new lines as the daemon writes them (across rotations), until Ctrl-C",
      ),
    ),
    lines: Options.integer("lines").pipe(
      Options.withAlias("n"),
      Options.withDefault(50),
      Options.withDescription("how many of the last lines to print first (default 50)"),
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ follow, lines, json }) =>
    Effect.gen(function* () {
      const settings = yield* AppConfig
      if (lines < 0) return yield* badInput(`--lines must be 0 or more, got ${lines}`)
      const file = daemonLogPath(settings.state)
      const print = (batch: ReadonlyArray<string>) =>
        batch.length === 0
          ? Effect.void
          : Console.log(batch.map((l) => (json ? JSON.stringify(parseLogLine(l)) : l)).join("\n"))
      yield* readLog(file, { n: lines, keep: settings.log.keep, follow }, print).pipe(
        Effect.catchAll(() =>
          badInput(
            `no daemon log at ${file} yet: the daemon writes it once it starts (state folder ${settings.state}${settings.configFile === undefined ? ", no ccl.yaml found: --config FILE?" : ` from ${settings.configFile}`})`,
          ),
        ),
      )
    }),
).pipe(
  Command.withDescription(
    "Print the daemon's log (<state>/daemon.log): the last lines, and with -f the new ones",
  ),
  Command.provide(({ config }) => AppConfigLive(Option.getOrUndefined(config))),
)
