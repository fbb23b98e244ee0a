import { watch } from "node:fs"
import * as path from "node:path"
import { Duration, Effect, Redacted, Schedule } from "effect"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { writeApiToken } from "../ApiTokenFile.js"
import { makeAccountSwap } from "./AccountSwap.js"
import { serveDaemonApi } from "./DaemonApi.js"
import { acquireDaemonLock } from "./DaemonLock.js"
import { makeDispatcher } from "./Dispatcher.js"
import { replayEvents } from "./HookReplay.js"
import { makeStateFile } from "./StateFile.js"
import { runWatchdog } from "./Watchdog.js"

/**
 * `ccl daemon`: one per queue (lock). Recovers the queue, starts or adopts the sessions, replays queued hook
 * events, serves the HTTP API, and runs the dispatcher (woken by a watch on pending/, by hooks and by a 5 s
 * tick), the screen reader and, when delegation is on, the reaper. Runs until interrupted (SIGINT/SIGTERM):
 * the step in hand finishes, the lock is released, sessions keep running for the next start to adopt.
 */
export const runDaemon = Effect.gen(function* () {
  const settings = yield* AppConfig
  // tmux, and every shell and agent it starts, inherit this process's environment: the secrets leave it (they
  // are held, redacted, in the settings); the hooks find the API token in <state>/api-token.
  delete process.env.SECUTOOLS_API_KEY
  delete process.env.CCL_API_TOKEN
  if (settings.api.token !== undefined) writeApiToken(settings.state, Redacted.value(settings.api.token))
  const queue = yield* TaskQueue
  yield* queue.counts // creates the queue folders
  yield* acquireDaemonLock(settings.queue)
  const recovered = yield* queue.recover
  if (recovered.finishedMoves.length + recovered.finishedEnqueues.length > 0) {
    yield* Effect.logInfo(`recovered interrupted moves: ${JSON.stringify(recovered)}`)
  }
  const state = yield* makeStateFile(settings.state)
  const dispatcher = yield* makeDispatcher(state)
  const failover = yield* makeAccountSwap(dispatcher)
  yield* failover.completeInterrupted
  yield* dispatcher.startSessions
  const replayed = yield* replayEvents(settings.state, dispatcher.onHook)
  const port = yield* serveDaemonApi(dispatcher, Date.now(), failover.api)
  yield* Effect.logInfo(
    `ccl daemon ${process.pid}: ${dispatcher.table.all().length} sessions, queue ${settings.queue}, API http://${settings.api.host}:${port}` +
      (replayed > 0 ? `, ${replayed} queued hook events replayed` : ""),
  )
  // A task renamed into pending/ wakes the dispatcher at once; the tick is the safety net.
  yield* Effect.acquireRelease(
    Effect.sync(() => watch(path.join(settings.queue, "pending"), () => Effect.runFork(dispatcher.wake))),
    (w) => Effect.sync(() => w.close()),
  )
  yield* Effect.forkScoped(dispatcher.runDispatch)
  // Runs first at SIGTERM (finalizers run in reverse): no new dispatch, prompts being typed finish.
  yield* Effect.addFinalizer(() => dispatcher.drain)
  yield* Effect.forkScoped(failover.runTriggers)
  yield* Effect.forkScoped(dispatcher.runScreens(500, 5_000))
  yield* Effect.forkScoped(runWatchdog(() => dispatcher.table.all(), settings.watchdog.everyMs))
  yield* Effect.forkScoped(
    dispatcher.sweepOrphans.pipe(
      Effect.catchAllCause((cause) => Effect.logWarning("sweeping active/ failed", cause)),
      Effect.repeat(Schedule.spaced(Duration.seconds(30))),
    ),
  )
  yield* Effect.forkScoped(
    Effect.forever(Effect.zipRight(dispatcher.wake, Effect.sleep(Duration.seconds(5)))),
  )
  yield* Effect.forkScoped(
    Effect.forever(
      Effect.zipRight(
        Effect.sleep(Duration.seconds(2)),
        replayEvents(settings.state, dispatcher.onHook).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("replaying queued hook events failed", cause)),
        ),
      ),
    ),
  )
  const delegation = yield* Effect.serviceOption(Delegation)
  if (delegation._tag === "Some") yield* Effect.forkScoped(delegation.value.runReaper)
  return yield* Effect.never
})
