import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer, Option } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { DaemonLogFile } from "../../layers/DaemonLogFile.js"
import { DelegationLive } from "../../layers/DelegationLive.js"
import { SecutoolsClientFromConfig } from "../../layers/SecutoolsClientHttp.js"
import { SymlinkFsNode } from "../../layers/SymlinkFsNode.js"
import { taskQueueFor } from "../../layers/TaskQueueFromConfig.js"
import { TmuxPoolFromConfig } from "../../layers/TmuxPoolCli.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Router } from "../../services/Router.js"
import { DaemonLive } from "../daemon/Daemon.js"
import { configOption } from "./options.js"

/** Everything the daemon runs on; delegation only when an API key is configured. */
const daemonLayer = (config: Option.Option<string>) => {
  const appConfig = AppConfigLive(Option.getOrUndefined(config))
  const queue = Layer.unwrapEffect(Effect.map(AppConfig, (s) => taskQueueFor(s, { daemon: true })))
  const delegation = Layer.unwrapEffect(
    Effect.map(AppConfig, (s) =>
      s.delegation.apiKey === undefined
        ? Layer.empty
        : DelegationLive.pipe(Layer.provide(SecutoolsClientFromConfig)),
    ),
  )
  return Layer.mergeAll(delegation, TmuxPoolFromConfig, Router.Default, SymlinkFsNode, DaemonLogFile).pipe(
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
