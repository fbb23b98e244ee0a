import { Command } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Console, Duration, Effect, Layer, Option } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { DelegationLive } from "../../layers/DelegationLive.js"
import { SecutoolsClientFromConfig } from "../../layers/SecutoolsClientHttp.js"
import { SymlinkFsNode } from "../../layers/SymlinkFsNode.js"
import { TaskQueueFs } from "../../layers/TaskQueueFs.js"
import { TmuxPoolFromConfig } from "../../layers/TmuxPoolCli.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Router } from "../../services/Router.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { DaemonLive } from "../daemon/Daemon.js"
import { daemonClient } from "./daemonClient.js"
import { configOption, jsonOption } from "./options.js"

/** Everything the daemon runs on; delegation only when an API key is configured. */
const daemonLayer = (config: Option.Option<string>) => {
  const appConfig = AppConfigLive(Option.getOrUndefined(config))
  const queue = Layer.unwrapEffect(Effect.map(AppConfig, (s) => TaskQueueFs(s.queue, { watch: true })))
  const delegation = Layer.unwrapEffect(
    Effect.map(AppConfig, (s) =>
      s.delegation.apiKey === undefined
        ? Layer.empty
        : DelegationLive.pipe(Layer.provide(SecutoolsClientFromConfig)),
    ),
  )
  return Layer.mergeAll(delegation, TmuxPoolFromConfig, Router.Default, SymlinkFsNode).pipe(
    Layer.provideMerge(queue),
    Layer.provideMerge(appConfig),
    Layer.provideMerge(NodeContext.layer),
  )
}

export const daemonCommand = Command.make("daemon", { config: configOption }, () =>
  Layer.launch(DaemonLive),
).pipe(
  Command.withDescription(
    "Run the pool: sessions, dispatcher, reaper, watchdog and the HTTP API (until SIGTERM)",
  ),
  Command.provide(({ config }) => daemonLayer(config)),
)

/** `ccl status`: from the daemon's API, or from the queue on disk when no daemon answers. */
export const statusCommand = Command.make("status", { json: jsonOption, config: configOption }, ({ json }) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const live = yield* daemonClient.pipe(
      Effect.flatMap((client) => client.status.status()),
      Effect.timeout(Duration.seconds(2)),
      Effect.option,
    )
    if (Option.isSome(live)) {
      if (json) return yield* Console.log(JSON.stringify(live.value))
      const s = live.value
      const lines = [
        `daemon pid ${s.pid}, account ${s.account ?? "(default)"}` +
          (s.failover?.paused_until ? `, dispatching paused until ${s.failover.paused_until}` : ""),
        `queue: ${Object.entries(s.queue)
          .map(([k, v]) => `${k} ${v}`)
          .join(", ")}`,
        "",
        `${"SESSION".padEnd(24)} ${"PHASE".padEnd(9)} ${"STATE".padEnd(12)} ${"TASK".padEnd(28)} SINCE`,
        ...s.sessions.map(
          (x) =>
            `${x.name.padEnd(24)} ${x.phase.padEnd(9)} ${x.state.padEnd(12)} ${(x.task ?? "-").padEnd(28)} ${x.since}`,
        ),
        ...s.sessions.flatMap((x) =>
          x.needs_operator === null ? [] : [`${x.name} needs the operator: ${x.needs_operator}`],
        ),
      ]
      return yield* Console.log(lines.join("\n"))
    }
    const counts = yield* (yield* TaskQueue).counts
    if (json) return yield* Console.log(JSON.stringify({ daemon: null, queue: counts }))
    yield* Console.log(
      `no daemon answers on ${settings.api.host}:${settings.api.port}\nqueue: ${Object.entries(counts)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}`,
    )
  }),
).pipe(
  Command.withDescription(
    "Show the account, sessions and queue (from the daemon, or from disk when it is down)",
  ),
  Command.provide(({ config }) => {
    const appConfig = AppConfigLive(Option.getOrUndefined(config))
    const queue = Layer.unwrapEffect(Effect.map(AppConfig, (s) => TaskQueueFs(s.queue)))
    return Layer.mergeAll(queue, FetchHttpClient.layer).pipe(Layer.provideMerge(appConfig))
  }),
)
