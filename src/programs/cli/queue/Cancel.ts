import { Args, Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Duration, Effect, Layer, Option } from "effect"
import { forgetting } from "../../../domain/InFlightState.js"
import { taskIdProblem } from "../../../domain/TaskId.js"
import { AppConfigLive } from "../../../layers/AppConfigLive.js"
import { makeStateStoreFile, peekDaemonState } from "../../../layers/StateStoreFile.js"
import { TaskQueueFromConfig } from "../../../layers/TaskQueueFromConfig.js"
import { AppConfig } from "../../../services/AppConfig.js"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { cancelPendingTask } from "../../CancelPendingTask.js"
import type { CancelAnswer } from "../../daemon/DaemonApiSchemas.js"
import { daemonLockRoot } from "../../daemon/DaemonLock.js"
import { lockHolder } from "../../daemon/DaemonLockHolder.js"
import { daemonAddress, daemonClient } from "../daemonClient.js"
import { badInput, failure } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { eachTask } from "./eachTask.js"

/** The daemon may wait for a task being typed into a session to be committed before it cancels it. */
const CANCEL_TIMEOUT = Duration.seconds(30)

const layers = (config: Option.Option<string>) =>
  Layer.mergeAll(TaskQueueFromConfig, FetchHttpClient.layer).pipe(
    Layer.provideMerge(AppConfigLive(Option.getOrUndefined(config))),
  )

const done = (a: CancelAnswer) => ({ line: a.message, json: { ...a } })

/** Through the daemon (it interrupts sessions and never races its dispatcher); none when no daemon answers. */
const viaDaemon = (id: string, reason: string | undefined) =>
  Effect.gen(function* () {
    const address = yield* daemonAddress
    const client = yield* daemonClient
    return yield* client.operator
      .cancel({ path: { id }, payload: reason === undefined ? {} : { reason } })
      .pipe(
        Effect.timeout(CANCEL_TIMEOUT),
        Effect.map(Option.some),
        Effect.catchTags({
          NotFound: (e) => Effect.fail(badInput(e.message)),
          Conflict: (e) => Effect.fail(badInput(e.message)),
          BadRequest: (e) => Effect.fail(badInput(e.message)),
          Unauthorized: (e) => Effect.fail(failure(`the daemon at ${address} refused: ${e.message}`)),
          Forbidden: (e) => Effect.fail(failure(`the daemon at ${address} refused: ${e.message}`)),
          ServerError: (e) => Effect.fail(failure(`the daemon could not cancel task ${id}: ${e.message}`)),
          ParseError: (e) =>
            Effect.fail(failure(`the daemon at ${address} answered something unexpected: ${e.message}`)),
          TimeoutException: () =>
            Effect.fail(
              failure(`the daemon at ${address} did not answer within 30 s: task ${id} state unknown`),
            ),
          RequestError: () => Effect.succeedNone,
          ResponseError: (e) =>
            Effect.fail(failure(`the daemon at ${address} answered ${e.response.status}: nothing cancelled`)),
        }),
      )
  })

/** A failed run's attempts and backoff, left in state.json by a give-back, go with the task (no daemon to do it). */
const forgetOffline = (stateDir: string, id: string) => {
  const s = peekDaemonState(stateDir)
  if (s === undefined || (s.attempts[id] ?? s.attempt_log[id] ?? s.retry_at[id]) === undefined)
    return Effect.void
  return Effect.flatMap(makeStateStoreFile(stateDir), (store) =>
    store.update(forgetting(undefined, id)),
  ).pipe(
    Effect.catchAll((e) => Effect.logWarning(`task ${id}: its attempts stay in state.json: ${e.message}`)),
    Effect.asVoid,
  )
}

/** No daemon runs: a pending (or delegated) task is cancelled on disk; an active one needs the daemon. */
const onDisk = (id: string, reason: string | undefined) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    const holder = yield* lockHolder(daemonLockRoot(settings))
    if (holder.kind !== "none")
      return yield* failure(
        `the daemon of this queue${holder.kind === "daemon" ? ` (pid ${holder.pid})` : ""} does not answer on ${yield* daemonAddress}: nothing cancelled (check api.port and CCL_API_TOKEN)`,
      )
    const where = yield* queue.locate(id)
    if (Option.isNone(where)) return yield* badInput(`task ${id} not found in ${queue.root}`)
    if (where.value === "done" || where.value === "failed")
      return yield* badInput(
        `task ${id} is in ${where.value}/: only pending or active tasks can be cancelled`,
      )
    if (where.value === "active") {
      const held = Object.entries(peekDaemonState(settings.state)?.inflight ?? {}).find(
        ([, f]) => f.task === id,
      )
      return yield* failure(
        `task ${id} is active in ${held === undefined ? "a session" : `session ${held[0]}`} and no daemon runs to interrupt it: start it with ccl daemon`,
      )
    }
    const cancelled = yield* cancelPendingTask(id, reason, new Date())
    yield* forgetOffline(settings.state, id)
    return done({
      id,
      from: "pending",
      status: "cancelled",
      ...(cancelled.delegated ? { job_id: cancelled.jobId } : {}),
      message: cancelled.message,
    })
  })

export const cancelCommand = Command.make(
  "cancel",
  {
    ids: Args.text({ name: "ID" }).pipe(Args.withDescription("pending or active tasks"), Args.atLeast(1)),
    reason: Options.text("reason").pipe(
      Options.withDescription('why, for the footer (default "by the operator")'),
      Options.optional,
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ ids, reason, json }) =>
    eachTask(ids, "cancelled", json, (id) =>
      Effect.gen(function* () {
        const problem = taskIdProblem(id)
        if (problem !== undefined) return yield* badInput(`task ${JSON.stringify(id)}: ${problem}`)
        const why = Option.getOrUndefined(reason)
        const answered = yield* viaDaemon(id, why)
        return Option.isSome(answered) ? done(answered.value) : yield* onDisk(id, why)
      }),
    ),
).pipe(
  Command.withDescription(
    "Cancel tasks: pending ones to failed/ as cancelled; active ones interrupted in their session (needs the daemon)",
  ),
  Command.provide(({ config }) => layers(config)),
)
