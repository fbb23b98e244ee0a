import { Effect, Layer } from "effect"
import { isPostgresQueue } from "../domain/QueueUrl.js"
import type { Settings } from "../domain/Settings.js"
import { AppConfig } from "../services/AppConfig.js"
import { TaskQueueFs } from "./TaskQueueFs.js"

/** How a process uses the queue: the daemon dispatches from it (and, on Postgres, is one of its nodes). */
export interface QueueMode {
  readonly daemon?: boolean
}

/**
 * The queue `queue:` names: a folder (the file queue, as always), or a postgres:// URL (the shared queue, which
 * brings QueueNodes with it).
 */
export const taskQueueFor = (settings: Settings, mode: QueueMode = {}) =>
  isPostgresQueue(settings.queue)
    ? // Loaded only for a Postgres queue: the driver costs every other command its start-up time.
      Layer.unwrapEffect(
        Effect.map(
          Effect.promise(() => import("./TaskQueuePg.js")),
          ({ TaskQueuePg }) =>
            TaskQueuePg({
              url: settings.queue,
              password: settings.queuePassword,
              node: settings.node,
              leaseMs: settings.queueLeaseMs,
              maxAttempts: settings.pool.maxAttempts,
              daemon: mode.daemon === true,
            }),
        ),
      )
    : TaskQueueFs(settings.queue, { watch: mode.daemon === true })

/** The configured queue, for a command. */
export const TaskQueueFromConfig = Layer.unwrapEffect(Effect.map(AppConfig, (s) => taskQueueFor(s)))
