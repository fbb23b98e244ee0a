import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as FileSystem from "@effect/platform/FileSystem"
import { Console, Effect, Layer, Option } from "effect"
import { HookEvents, mergeHookSettings, removeHookSettings } from "../../domain/HookSettings.js"
import { spoolHookCommand } from "../../domain/HookSpool.js"
import { statusLineCommand } from "../../domain/StatusLineCommand.js"
import { mergeStatusLine, removeStatusLine } from "../../domain/StatusLineSettings.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { writeFileDurably } from "../../layers/DurableFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import { makeSpoolDirs, spoolDirs } from "../daemon/HookSpoolDrain.js"
import { runHook } from "../HookRelay.js"
import { badInput, failure } from "./failure.js"
import { configOption } from "./options.js"

const install = Command.make(
  "install",
  {
    account: Options.text("account").pipe(Options.withDescription("only this account"), Options.optional),
    config: configOption,
  },
  ({ account }) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const settings = yield* AppConfig
      const accounts = settings.accounts.filter((a) => Option.isNone(account) || a.name === account.value)
      if (accounts.length === 0) {
        return yield* badInput(
          Option.isSome(account)
            ? `no account named ${account.value} in the config (known: ${settings.accounts.map((a) => a.name).join(", ") || "none"})`
            : "no accounts in the config: add accounts: [{ name: main, home: ~/.claude-main }, ...] to ccl.yaml",
        )
      }
      // The hooks write into the spool of this config's state folder (domain/HookSpool.ts): no Node start.
      yield* Effect.try({
        try: () => makeSpoolDirs(settings.state),
        catch: (e) => failure(`cannot make ${spoolDirs(settings.state).fresh}: ${(e as Error).message}`),
      })
      for (const a of accounts) {
        const file = path.join(a.home, "settings.json")
        const existing = yield* fs.readFileString(file).pipe(Effect.option)
        let current: unknown = {}
        if (Option.isSome(existing)) {
          try {
            current = JSON.parse(existing.value)
          } catch (e) {
            return yield* badInput(
              `${file} is not valid JSON (${(e as Error).message}): fix it, then run this again`,
            )
          }
        }
        const hooked = mergeHookSettings(current, (event) => spoolHookCommand(event, settings.state))
        if (hooked === undefined)
          return yield* badInput(`${file} is not a JSON object with a "hooks" object: fix it first`)
        // The statusLine hands the quota to the daemon too; the operator's own one runs inside it.
        const lined = mergeStatusLine(hooked.settings, (operator) =>
          statusLineCommand(a.name, settings.state, operator),
        )
        if (lined._tag === "Kept") yield* Console.log(`${a.name}: statusLine left as it is: ${lined.reason}`)
        const merged =
          lined._tag === "Kept"
            ? hooked
            : { settings: lined.settings, changed: hooked.changed || lined.changed }
        if (!merged.changed) {
          yield* Console.log(`${a.name}: hooks already installed in ${file}`)
          continue
        }
        let backup = ""
        if (Option.isSome(existing)) {
          backup = `${file}.bak.${new Date().toISOString().replace(/[:.]/g, "-")}`
          yield* fs.writeFileString(backup, existing.value, { mode: 0o600 })
        }
        // A missing account home is made as before, like `mkdir -p` (0777 less the umask).
        const text = `${JSON.stringify(merged.settings, null, 2)}\n`
        yield* Effect.try({
          try: () => writeFileDurably(file, text, { mode: 0o600, dirMode: 0o777 }),
          catch: (e) => failure(`cannot install hooks: ${e instanceof Error ? e.message : String(e)}`),
        })
        yield* Console.log(
          `${a.name}: hooks ${HookEvents.join(", ")}${lined._tag === "Kept" ? "" : " and statusLine"} installed in ${file}${backup === "" ? "" : ` (backup: ${backup})`}`,
        )
      }
    }).pipe(
      Effect.mapError((e) => (e._tag === "CliFailure" ? e : failure(`cannot install hooks: ${e.message}`))),
    ),
).pipe(
  Command.withDescription(
    "Add ccl's hooks (SessionStart, UserPromptSubmit, Stop, StopFailure, Notification) and statusLine to each account's settings.json: each drops the event (the statusline: the quota) into <state>/hooks/ for the daemon; your own statusLine runs inside ccl's",
  ),
  Command.provide(({ config }) => AppConfigLive(Option.getOrUndefined(config))),
)

const accountOption = Options.text("account").pipe(
  Options.withDescription("only this account"),
  Options.optional,
)

const uninstall = Command.make("uninstall", { account: accountOption, config: configOption }, ({ account }) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const settings = yield* AppConfig
    const accounts = settings.accounts.filter((a) => Option.isNone(account) || a.name === account.value)
    if (accounts.length === 0)
      return yield* badInput(
        Option.isSome(account)
          ? `no account named ${account.value} in the config (known: ${settings.accounts.map((a) => a.name).join(", ") || "none"})`
          : "no accounts in the config: nothing to uninstall",
      )
    for (const a of accounts) {
      const file = path.join(a.home, "settings.json")
      const existing = yield* fs.readFileString(file).pipe(Effect.option)
      if (Option.isNone(existing)) {
        yield* Console.log(`${a.name}: no ${file}: nothing to remove`)
        continue
      }
      let current: unknown
      try {
        current = JSON.parse(existing.value)
      } catch (e) {
        return yield* badInput(
          `${file} is not valid JSON (${(e as Error).message}): fix it, then run this again`,
        )
      }
      const unhooked = removeHookSettings(current)
      if (unhooked === undefined)
        return yield* badInput(`${file} is not a JSON object with a "hooks" object: fix it first`)
      const line = removeStatusLine(unhooked.settings)
      const cleaned = { settings: line.settings, removed: unhooked.removed }
      if (cleaned.removed === 0 && !line.removed) {
        yield* Console.log(`${a.name}: no ccl hooks in ${file}`)
        continue
      }
      // The file as it was, beside it, before anything changes.
      const backup = `${file}.bak.${new Date().toISOString().replace(/[:.]/g, "-")}`
      yield* fs.writeFileString(backup, existing.value, { mode: 0o600 })
      yield* Effect.try({
        try: () => writeFileDurably(file, `${JSON.stringify(cleaned.settings, null, 2)}\n`, { mode: 0o600 }),
        catch: (e) =>
          failure(`cannot uninstall hooks from ${file}: ${e instanceof Error ? e.message : String(e)}`),
      })
      const statusLine = !line.removed
        ? ""
        : line.restored
          ? ", statusLine restored to yours"
          : " and its statusLine"
      yield* Console.log(
        `${a.name}: ${cleaned.removed} ccl hooks${statusLine} removed from ${file} (backup: ${backup})`,
      )
    }
  }).pipe(
    Effect.mapError((e) => (e._tag === "CliFailure" ? e : failure(`cannot uninstall hooks: ${e.message}`))),
  ),
).pipe(
  Command.withDescription(
    "Remove ccl's hooks and statusLine from each account's settings.json, keeping your own hooks and settings (your statusLine comes back; a backup is kept beside it)",
  ),
  Command.provide(({ config }) => AppConfigLive(Option.getOrUndefined(config))),
)

export const hooksCommand = Command.make("hooks").pipe(
  Command.withDescription("Claude Code hooks"),
  Command.withSubcommands([install, uninstall]),
)

export const hookCommand = Command.make(
  "hook",
  { event: Args.text({ name: "EVENT" }), config: configOption },
  ({ event }) => runHook(event),
).pipe(
  Command.withDescription(
    "Relay a Claude Code hook event to the daemon (run by hooks installed before the spool; always exits 0)",
  ),
  Command.provide(({ config }) =>
    Layer.merge(AppConfigLive(Option.getOrUndefined(config)), FetchHttpClient.layer),
  ),
)
