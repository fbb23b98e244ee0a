import { watch } from "node:fs"
import * as path from "node:path"
import { Duration, Effect, Runtime, Schedule } from "effect"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { QueueNodes } from "../../services/QueueNodes.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { TaskQueue } from "../../services/TaskQueue.js"

/** A lost LISTEN connection is opened again this long after; the dispatcher's tick covers the gap. */
const relisten = Schedule.spaced(Duration.seconds(5))

/**
 * Wakes the dispatcher at once when a task may have arrived: the queue's own notifications (Postgres LISTEN/NOTIFY),
 * else a watch on `<queue>/pending/`. Either way the daemon's tick stays the safety net. Until the scope closes.
 */
export const followQueue = (wake: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    if (queue.follow !== undefined) {
      const follow = queue.follow(wake).pipe(
        Effect.catchAll((e) => Effect.logWarning(`not listening for new tasks (${e.message}); retrying`)),
        Effect.repeat(relisten),
      )
      return yield* Effect.asVoid(Effect.forkScoped(follow))
    }
    const run = Runtime.runFork(yield* Effect.runtime<never>())
    const stopped = (e: Error) =>
      run(Effect.logWarning(`not watching pending/ (${e.message}); the 5 s tick carries on`))
    yield* Effect.acquireRelease(
      Effect.sync(() => {
        // Neither a watch that cannot start (inotify limits) nor a later "error" may end the daemon.
        try {
          const w = watch(path.join(settings.queue, "pending"), () => run(wake))
          w.on("error", (e) => {
            w.close()
            stopped(e)
          })
          return w
        } catch (e) {
          stopped(e as Error)
          return undefined
        }
      }),
      (w) => Effect.sync(() => w?.close()),
    )
  })

/** How often a node tells the others its sessions (the heartbeat carries the latest report). */
const reportEvery = Schedule.spaced(Duration.seconds(2))

/** A node of a shared queue keeps its sessions and accounts on record for `ccl status` on every node. */
export const reportNode = Effect.gen(function* () {
  const nodes = yield* Effect.serviceOption(QueueNodes)
  if (nodes._tag === "None") return
  const settings = yield* AppConfig
  const { table } = yield* DaemonSessions
  const supervisor = yield* SessionSupervisor
  const report = Effect.suspend(() =>
    nodes.value.report({
      sessions: table.all().map((r) => ({ name: r.name, task: r.task?.id ?? null })),
      accounts: settings.accounts.map((a) => a.name),
      activeAccount: supervisor.account()?.name ?? null,
    }),
  )
  yield* Effect.forkScoped(Effect.repeat(report, reportEvery))
})
