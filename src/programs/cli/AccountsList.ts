import * as path from "node:path"
import { Command } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as FileSystem from "@effect/platform/FileSystem"
import { Clock, Console, Duration, Effect, Layer, Option } from "effect"
import { percentText } from "../../domain/QuotaText.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { AppConfig } from "../../services/AppConfig.js"
import type { AccountView } from "../daemon/DaemonApiAccountsSpec.js"
import { daemonClient } from "./daemonClient.js"
import { badInput } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

interface AccountState {
  readonly active: string | undefined
  readonly cooldowns: Readonly<Record<string, number>>
}

/** `active_account` and `cooldowns` of state.json; anything missing, mistyped or corrupt is left out. */
export const parseAccountState = (text: string | undefined): AccountState => {
  let doc: unknown
  try {
    doc = text === undefined ? undefined : JSON.parse(text)
  } catch {
    doc = undefined
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v)
  if (!isObject(doc)) return { active: undefined, cooldowns: {} }
  const cooldowns: Record<string, number> = {}
  if (isObject(doc.cooldowns)) {
    for (const [name, at] of Object.entries(doc.cooldowns)) {
      const ms = typeof at === "string" ? Date.parse(at) : Number.NaN
      if (!Number.isNaN(ms)) cooldowns[name] = ms
    }
  }
  return { active: typeof doc.active_account === "string" ? doc.active_account : undefined, cooldowns }
}

/** How long `ccl accounts list` waits for the daemon before reading the disk. */
const ASK_TIMEOUT = Duration.seconds(2)

/** GET /api/accounts; none when no daemon answers. */
const fromDaemon = daemonClient.pipe(
  Effect.flatMap((client) => client.accounts.accounts()),
  Effect.timeout(ASK_TIMEOUT),
  Effect.option,
)

/** What the disk knows (state.json): the active account and cooldowns; no quota (it lives in the daemon). */
const fromDisk = Effect.gen(function* () {
  const settings = yield* AppConfig
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(path.join(settings.state, "state.json")).pipe(Effect.option)
  const state = parseAccountState(Option.getOrUndefined(text))
  const now = yield* Clock.currentTimeMillis
  const active = settings.accounts.find((a) => a.name === state.active) ?? settings.accounts[0]
  return settings.accounts.map((a): AccountView => {
    const until = state.cooldowns[a.name]
    return {
      name: a.name,
      home: a.home,
      active: a === active,
      cooldown_until: until !== undefined && until > now ? new Date(until).toISOString() : null,
      quota: null,
    }
  })
})

/** `ccl accounts list [--json]`: from the daemon (with quotas), else from disk. */
export const accountsList = Command.make("list", { json: jsonOption, config: configOption }, ({ json }) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    if (settings.accounts.length === 0)
      return yield* badInput(
        "no accounts in the config: add accounts: [{ name: main, home: ~/.claude-main }, ...] to ccl.yaml",
      )
    const live = yield* fromDaemon
    const rows = Option.isSome(live) ? live.value : yield* fromDisk
    // `cooling_down_until`: the name before GET /api/accounts existed, kept for scripts that read it.
    if (json)
      return yield* Console.log(
        JSON.stringify(rows.map((r) => ({ ...r, cooling_down_until: r.cooldown_until }))),
      )
    const width = Math.max(4, ...rows.map((r) => r.name.length))
    const homeWidth = Math.max(4, ...rows.map((r) => r.home.length))
    const line = (a: string, n: string, h: string, five: string, seven: string, c: string) =>
      `${a.padEnd(6)}  ${n.padEnd(width)}  ${h.padEnd(homeWidth)}  ${five.padEnd(4)}  ${seven.padEnd(4)}  ${c}`
    yield* Console.log(
      [
        line("ACTIVE", "NAME", "HOME", "5H", "7D", "COOLING DOWN UNTIL"),
        ...rows.map((r) =>
          line(
            r.active ? "*" : "",
            r.name,
            r.home,
            percentText(r.quota?.five_hour),
            percentText(r.quota?.seven_day),
            r.cooldown_until ?? "-",
          ),
        ),
      ].join("\n"),
    )
  }),
).pipe(
  Command.withDescription(
    "List accounts in failover order: the active one, 5-hour and weekly quota used (from the daemon), cooldowns",
  ),
  Command.provide(({ config }) =>
    Layer.merge(AppConfigLive(Option.getOrUndefined(config)), FetchHttpClient.layer),
  ),
)
