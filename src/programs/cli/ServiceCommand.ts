import { existsSync, realpathSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { enableCommands, systemdUnit, UNIT_NAME } from "../../domain/SystemdUnit.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { writeFileDurably } from "../../layers/DurableFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import { badInput, failure } from "./failure.js"
import { configOption } from "./options.js"

const configHome = () => process.env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config")

/** Where the unit goes: the user's systemd folder, or the system's. */
const unitDir = (user: boolean) => (user ? path.join(configHome(), "systemd", "user") : "/etc/systemd/system")

const install = Command.make(
  "install",
  {
    user: Options.boolean("user").pipe(
      Options.withDescription(
        `a user unit in $XDG_CONFIG_HOME/systemd/user (default: /etc/systemd/system, as root)`,
      ),
    ),
    print: Options.boolean("print").pipe(Options.withDescription("print the unit instead of writing it")),
    // Not --env-file: Node 20 takes that flag for itself wherever it appears on the command line.
    secrets: Options.file("secrets").pipe(
      Options.withDescription(
        "the file of secrets (SECUTOOLS_API_KEY=..., CCL_API_TOKEN=...); default ~/.config/ccl/ccl.env",
      ),
      Options.optional,
    ),
    config: configOption,
  },
  ({ user, print, secrets }) =>
    Effect.gen(function* () {
      const settings = yield* AppConfig
      if (settings.configFile === undefined)
        return yield* badInput(
          "no ccl.yaml found: the service needs one (run it from the folder that has it, or pass --config FILE)",
        )
      const environmentFile = path.resolve(
        Option.getOrElse(secrets, () => path.join(configHome(), "ccl", "ccl.env")),
      )
      const unit = systemdUnit({
        node: process.execPath,
        // The bundle itself (dist/ccl.mjs), not a link to it that `npm link` may move.
        script: realpathSync(process.argv[1] ?? "ccl"),
        config: settings.configFile,
        workingDirectory: path.dirname(settings.configFile),
        environmentFile,
        path: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
        // Under sudo the daemon still runs as whoever asked: their tmux server, their account homes.
        user: user ? undefined : process.env.SUDO_USER || os.userInfo().username,
      })
      if (print) return yield* Console.log(unit.trimEnd())
      const file = path.join(unitDir(user), UNIT_NAME)
      yield* Effect.try({
        try: () => writeFileDurably(file, unit, { mode: 0o644, dirMode: 0o755 }),
        catch: (e) => {
          const code = (e as NodeJS.ErrnoException).code
          return failure(
            code === "EACCES" || code === "EPERM"
              ? `cannot write ${file}: permission denied; run it as root (sudo ccl service install), or use --user, or --print and install the unit yourself`
              : `cannot write ${file}: ${(e as Error).message}`,
          )
        },
      })
      yield* Console.log(
        [
          `wrote ${file} (ccl daemon --config ${settings.configFile})`,
          `secrets: ${environmentFile}${existsSync(environmentFile) ? "" : " (not there yet: optional)"}, lines such as SECUTOOLS_API_KEY=... and CCL_API_TOKEN=... (chmod 600)`,
          "enable and start it:",
          ...enableCommands(user, process.getuid?.() === 0).map((c) => `  ${c}`),
        ].join("\n"),
      )
    }),
).pipe(
  Command.withDescription(
    "Write (or --print) a systemd unit that runs `ccl daemon` with this config, and say how to enable it",
  ),
  Command.provide(({ config }) => AppConfigLive(Option.getOrUndefined(config))),
)

export const serviceCommand = Command.make("service").pipe(
  Command.withDescription("Run the daemon as a systemd service"),
  Command.withSubcommands([install]),
)
