import { Args, Command } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Console, Duration, Effect, Layer, Option } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import type { OperatorAnswer } from "../daemon/DaemonApiSchemas.js"
import { daemonAddress, daemonClient } from "./daemonClient.js"
import { badInput, failure } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

// `ccl failover clear|pause|resume`: they change what the running daemon does, so they go through its API.

const layers = (config: Option.Option<string>) =>
  Layer.merge(AppConfigLive(Option.getOrUndefined(config)), FetchHttpClient.layer)

/** Sends one operator request to the daemon; no daemon is one line, exit 1. */
const ask = <E>(
  what: string,
  request: (
    client: Effect.Effect.Success<typeof daemonClient>,
  ) => Effect.Effect<OperatorAnswer, E & { readonly _tag: string }>,
  json: boolean,
) =>
  Effect.gen(function* () {
    const address = yield* daemonAddress
    const client = yield* daemonClient
    const answer = yield* request(client).pipe(
      Effect.timeout(Duration.seconds(10)),
      Effect.catchAll((e: { readonly _tag: string; readonly message?: string }) => {
        if (e._tag === "NotFound" || e._tag === "BadRequest")
          return Effect.fail(badInput(e.message ?? e._tag))
        if (e._tag === "RequestError" || e._tag === "TimeoutException")
          return Effect.fail(
            failure(
              `no daemon answers on ${address}: ${what} changes the running daemon, start it with \`ccl daemon\``,
            ),
          )
        return Effect.fail(failure(`the daemon at ${address}: ${e.message ?? e._tag}`))
      }),
    )
    yield* Console.log(json ? JSON.stringify(answer) : answer.message)
  })

export const clearCommand = Command.make(
  "clear",
  {
    account: Args.text({ name: "ACCOUNT" }).pipe(
      Args.withDescription("the account whose cooldown ends now (default: every account)"),
      Args.optional,
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ account, json }) =>
    ask(
      "clearing a cooldown",
      (c) =>
        c.operator.clearCooldowns({
          payload: Option.match(account, { onNone: () => ({}), onSome: (a) => ({ account: a }) }),
        }),
      json,
    ),
).pipe(
  Command.withDescription(
    "End an account's cooldown now (or every one); dispatching resumes if they held it",
  ),
  Command.provide(({ config }) => layers(config)),
)

export const pauseCommand = Command.make("pause", { json: jsonOption, config: configOption }, ({ json }) =>
  ask("a pause", (c) => c.operator.pause({ payload: {} }), json),
).pipe(
  Command.withDescription("Stop starting new tasks (tasks in flight carry on); holds across daemon restarts"),
  Command.provide(({ config }) => layers(config)),
)

export const resumeCommand = Command.make("resume", { json: jsonOption, config: configOption }, ({ json }) =>
  ask("a resume", (c) => c.operator.resume({ payload: {} }), json),
).pipe(
  Command.withDescription("Start new tasks again after `ccl failover pause`"),
  Command.provide(({ config }) => layers(config)),
)
