import { Duration, Effect, Layer, Redacted, Schedule } from "effect"
import { isPostgresQueue } from "../../domain/QueueUrl.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delegation } from "../../services/Delegation.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { Dispatcher } from "../../services/Dispatcher.js"
import { Failover } from "../../services/Failover.js"
import { HookIntake } from "../../services/HookIntake.js"
import { QuotaPolicy } from "../../services/QuotaPolicy.js"
import { ScreenWatch } from "../../services/ScreenWatch.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { Watchdog } from "../../services/Watchdog.js"
import { writeApiToken } from "../ApiTokenFile.js"
import { serveDaemonApi } from "./DaemonApi.js"
import { failoverHandler } from "./DaemonApiHandlers.js"
import { acquireDaemonLock, daemonLockRoot } from "./DaemonLock.js"
import { daemonServices } from "./DaemonServices.js"
import { runInbox } from "./InboxImport.js"
import { countDaemonEvents } from "./MetricsCounters.js"
import { runNotifications } from "./Notifications.js"
import { makeOperatorControl } from "./OperatorControl.js"
import { followQueue, reportNode } from "./QueueFollow.js"

/** The safety-net wake-up of the dispatcher, and the sweep of tasks stranded in active/. */
const tick = Schedule.spaced(Duration.seconds(5))
const orphanSweep = Schedule.spaced(Duration.seconds(30))

/**
 * Before anything reads the queue or the state: secrets out of the environment, the queue's lock (one daemon per
 * queue), then moves a crash interrupted finished.
 */
const QueueOwnership = Layer.scopedDiscard(
  Effect.gen(function* () {
    const settings = yield* AppConfig
    // tmux, and every shell and agent it starts, inherit this process's environment: the secrets leave it (they
    // are held, redacted, in the settings); the hooks find the API token in <state>/api-token.
    delete process.env.SECUTOOLS_API_KEY
    delete process.env.CCL_API_TOKEN
    for (const w of settings.notify) if (w.secretEnv !== undefined) delete process.env[w.secretEnv]
    // The Postgres queue's password too (the pool holds it): PGPASSWORD only when it is the queue's.
    if (isPostgresQueue(settings.queue) && process.env.CCL_QUEUE_PASSWORD === undefined)
      delete process.env.PGPASSWORD
    delete process.env.CCL_QUEUE_PASSWORD
    if (settings.api.token !== undefined) writeApiToken(settings.state, Redacted.value(settings.api.token))
    const queue = yield* TaskQueue
    yield* queue.counts // creates the queue folders
    yield* acquireDaemonLock(daemonLockRoot(settings))
    const recovered = yield* queue.recover
    if (recovered.finishedMoves.length + recovered.finishedEnqueues.length > 0)
      yield* Effect.logInfo(`recovered interrupted moves: ${JSON.stringify(recovered)}`)
  }),
)

/**
 * Starts in order (an interrupted failover finished, sessions started or adopted, queued hook events replayed,
 * the API served), then runs the loops until the scope closes (SIGINT/SIGTERM): prompts being typed finish, the
 * lock is released, sessions keep running for the next start to adopt.
 */
const runDaemon = Effect.gen(function* () {
  const settings = yield* AppConfig
  const failover = yield* Failover
  const supervisor = yield* SessionSupervisor
  const hooks = yield* HookIntake
  const dispatcher = yield* Dispatcher
  const control = yield* DispatchControl
  const sessions = yield* DaemonSessions
  const watchdog = yield* Watchdog
  const screens = yield* ScreenWatch
  // First: the webhooks hear every event from the start-up on.
  yield* runNotifications
  // The last word of a stop (finalizers run in reverse: this one last): what the next start will adopt.
  yield* Effect.addFinalizer(() =>
    Effect.suspend(() => {
      const all = sessions.table.all()
      const busy = all.flatMap((r) => (r.task === undefined ? [] : [`${r.task.id} in ${r.name}`]))
      return Effect.logInfo(
        `ccl daemon ${process.pid} stopped: ${all.length} sessions left running for the next start` +
          (busy.length > 0 ? `, tasks still in them: ${busy.join(", ")}` : ", no task in flight"),
      )
    }),
  )
  // Subscribed before anything below can publish: /metrics counts every event of this run.
  yield* countDaemonEvents
  const operator = yield* makeOperatorControl
  yield* operator.restore
  yield* failover.completeInterrupted
  yield* supervisor.startSessions
  yield* failover.swapIfActiveCooling
  const replayed = yield* hooks.replay
  const tmux = yield* TmuxPool
  const api = {
    ...sessions,
    account: supervisor.account,
    onHook: hooks.accept,
    // The dashboard's view of a pane: none for a session whose tmux session is gone.
    capture: (name: string) =>
      Effect.flatMap(tmux.has(name), (has) => (has ? tmux.capture(name) : Effect.succeed(undefined))),
  }
  const port = yield* serveDaemonApi(
    api,
    Date.now(),
    operator.withPauseShown(failoverHandler(failover)),
    operator.handler,
  )
  yield* Effect.logInfo(
    `ccl daemon ${process.pid}: ${sessions.table.all().length} sessions, queue ${settings.queue}, API http://${settings.api.host}:${port}` +
      (replayed > 0 ? `, ${replayed} queued hook events replayed` : ""),
  )
  // A new task wakes the dispatcher at once (pending/ watched, or Postgres NOTIFY); the tick is the safety net.
  yield* followQueue(control.wake)
  yield* reportNode
  yield* Effect.forkScoped(dispatcher.run)
  // Runs first at SIGTERM (finalizers run in reverse): no new dispatch, prompts being typed finish.
  yield* Effect.addFinalizer(() => dispatcher.drain)
  yield* Effect.addFinalizer(() =>
    Effect.logInfo(`ccl daemon ${process.pid} shutting down: no new dispatch, prompts being typed finish`),
  )
  yield* Effect.forkScoped(failover.runTriggers)
  yield* Effect.forkScoped((yield* QuotaPolicy).run)
  yield* Effect.forkScoped(screens.run(500, 5_000))
  yield* Effect.forkScoped(watchdog.run)
  yield* Effect.forkScoped(
    supervisor.sweepOrphans.pipe(
      Effect.catchAllCause((cause) =>
        Effect.logWarning("sweeping active/ for tasks no session holds failed", cause),
      ),
      Effect.repeat(orphanSweep),
    ),
  )
  yield* Effect.forkScoped(Effect.repeat(control.wake, tick))
  yield* Effect.forkScoped(hooks.runReplay)
  yield* Effect.forkScoped(runInbox)
  const delegation = yield* Effect.serviceOption(Delegation)
  if (delegation._tag === "Some") yield* Effect.forkScoped(delegation.value.runReaper)
})

/** `ccl daemon`: launched with Layer.launch on the services it needs (DaemonCommand gives the outer ones). */
export const DaemonLive = Layer.scopedDiscard(runDaemon).pipe(
  Layer.provide(daemonServices()),
  Layer.provide(QueueOwnership),
)
