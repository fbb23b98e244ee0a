import { Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Console, Duration, Effect, Layer, Option } from "effect"
import type { SwapSessionOutcome } from "../../domain/DaemonState.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { peekDaemonState } from "../../layers/StateStoreFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import type { FailoverView } from "../daemon/DaemonApiSchemas.js"
import { daemonAddress, daemonClient } from "./daemonClient.js"
import { clearCommand, pauseCommand, resumeCommand } from "./FailoverOperatorCommands.js"
import { failure } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

const layers = (config: Option.Option<string>) =>
  Layer.merge(AppConfigLive(Option.getOrUndefined(config)), FetchHttpClient.layer)

/** A swap moves every session: it can take a while on a big pool. */
const SWAP_TIMEOUT = Duration.minutes(2)

const swapCommand = Command.make(
  "swap",
  {
    to: Options.text("to").pipe(
      Options.withDescription("the account to move to (default: the next one not cooling down)"),
      Options.optional,
    ),
    force: Options.boolean("force").pipe(
      Options.withDescription("with --to: move there even while that account is cooling down"),
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ to, force, json }) =>
    Effect.gen(function* () {
      const address = yield* daemonAddress
      const client = yield* daemonClient
      const answer = yield* client.control
        .failover({ payload: { to: Option.getOrUndefined(to), ...(force ? { force } : {}) } })
        .pipe(
          Effect.timeout(SWAP_TIMEOUT),
          Effect.catchTags({
            // 409 (refused) and 501 answer with the same body as 200: report it, exit 1.
            ParseError: (e) =>
              Effect.fail(failure(`the daemon at ${address} answered something unexpected: ${e.message}`)),
          }),
          Effect.catchAll((e) =>
            "ok" in e && "message" in e
              ? Effect.succeed(e)
              : Effect.fail(
                  failure(
                    `no daemon answers on ${address}: a swap moves the running sessions, start them with \`ccl daemon\``,
                  ),
                ),
          ),
        )
      if (json) yield* Console.log(JSON.stringify(answer))
      else {
        yield* Console.log(answer.message)
        if (answer.relaunched !== undefined && answer.relaunched.length > 0)
          yield* Console.log(`relaunched: ${answer.relaunched.join(", ")}`)
        if (answer.left_at_shell !== undefined && answer.left_at_shell.length > 0)
          yield* Console.log(`left at the shell (no valid resume id): ${answer.left_at_shell.join(", ")}`)
      }
      if (!answer.ok)
        return yield* failure(
          answer.outcome === "waiting"
            ? `nothing swapped: ${answer.message}`
            : `failover refused: ${answer.message}`,
        )
    }),
).pipe(
  Command.withDescription("Move every session to another account now (through the running daemon)"),
  Command.provide(({ config }) => layers(config)),
)

/** Readable lines of the failover's state. */
const describeFailover = (f: FailoverView, live: boolean): ReadonlyArray<string> => [
  `active account: ${f.active ?? "(first configured)"}${live ? "" : " (daemon not running: from state.json)"}`,
  ...(f.swapping ? ["a swap is running now"] : []),
  ...(f.paused_by_operator === true
    ? ["dispatching paused by the operator: `ccl failover resume` starts new tasks again"]
    : []),
  ...(f.paused_until === null ? [] : [`dispatching paused until ${f.paused_until}`]),
  ...Object.entries(f.cooldowns).map(([name, until]) => `cooling down: ${name} until ${until}`),
  ...(f.history.length === 0 ? ["no swaps yet"] : ["history (newest last):"]),
  ...f.history.flatMap((h) => [
    `  ${h.finished_at} ${h.outcome.padEnd(8)} ${h.from ?? "-"} -> ${h.to ?? "-"} (${h.reason})` +
      (h.outcome === "swapped"
        ? ` relaunched ${h.relaunched.length}, left at shell ${h.left_at_shell.length}${h.left_at_shell.length > 0 ? `: ${h.left_at_shell.join(", ")}` : ""}`
        : h.message === undefined
          ? ""
          : `: ${h.message}`),
    ...(h.sessions ?? []).map((o) => `    ${o.name}: ${describeOutcome(o)}`),
  ]),
]

/** `resumed 3f2a… (verified)`, `fresh 9c1e… (never prompted), unverified`, `left at shell (no resume id saved)`. */
const describeOutcome = (o: SwapSessionOutcome): string => {
  const what = o.how === "shell" ? "left at shell" : `${o.how} ${o.id ?? ""}`.trim()
  const why = o.why === undefined ? "" : ` (${o.why})`
  const check =
    o.how === "shell"
      ? ""
      : o.verified === true
        ? ", verified"
        : o.verified === false
          ? ", UNVERIFIED"
          : ", unverified yet"
  return `${what}${why}${check}`
}

const statusCommand = Command.make("status", { json: jsonOption, config: configOption }, ({ json }) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const live = yield* daemonClient.pipe(
      Effect.flatMap((c) => c.status.status()),
      Effect.timeout(Duration.seconds(2)),
      Effect.option,
    )
    const view: FailoverView | undefined = Option.isSome(live)
      ? (live.value.failover ?? undefined)
      : (() => {
          const s = peekDaemonState(settings.state)
          return s === undefined
            ? undefined
            : {
                active: s.active_account,
                swapping: s.swap !== null,
                paused_until: null,
                cooldowns: s.cooldowns,
                history: s.history,
                paused_by_operator: s.dispatch_paused,
              }
        })()
    const shown: FailoverView = view ?? {
      active: settings.accounts[0]?.name ?? null,
      swapping: false,
      paused_until: null,
      cooldowns: {},
      history: [],
    }
    if (json) return yield* Console.log(JSON.stringify({ daemon: Option.isSome(live), ...shown }))
    yield* Console.log(describeFailover(shown, Option.isSome(live)).join("\n"))
  }),
).pipe(
  Command.withDescription("Active account, cooldowns and the history of swaps"),
  Command.provide(({ config }) => layers(config)),
)

export const failoverCommand = Command.make("failover").pipe(
  Command.withDescription(
    "Account failover: swap now, clear cooldowns, pause or resume dispatching, show the state",
  ),
  Command.withSubcommands([swapCommand, statusCommand, clearCommand, pauseCommand, resumeCommand]),
)
