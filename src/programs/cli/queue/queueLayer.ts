import { Layer, Option } from "effect"
import { AppConfigLive } from "../../../layers/AppConfigLive.js"
import { TaskQueueFromConfig } from "../../../layers/TaskQueueFromConfig.js"

/** The queue of the configured (or `--config`) ccl.yaml, for the queue subcommands. */
export const queueLayer = (config: Option.Option<string>) =>
  TaskQueueFromConfig.pipe(Layer.provide(AppConfigLive(Option.getOrUndefined(config))))

/** The same, with the configuration itself for commands that read more of it (accounts, the state folder). */
export const queueLayerWithConfig = (config: Option.Option<string>) =>
  TaskQueueFromConfig.pipe(Layer.provideMerge(AppConfigLive(Option.getOrUndefined(config))))
