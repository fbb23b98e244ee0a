import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { type Context, Effect, Layer, Option } from "effect"
import type { AccountRef } from "../../domain/AccountChoice.js"
import type { HookRecord } from "../../domain/HookRecord.js"
import type { SessionTable } from "../../domain/SessionTable.js"
import type { DispatchCounters } from "../../services/DaemonSessions.js"
import { Delegation } from "../../services/Delegation.js"
import type { Failover } from "../../services/Failover.js"
import { TaskQueue, TaskStates } from "../../services/TaskQueue.js"
import { accountsApiHandlers } from "./DaemonApiAccounts.js"
import { ServerError } from "./DaemonApiErrors.js"
import { metricsApiHandlers } from "./DaemonApiMetrics.js"
import { type OperatorHandler, operatorApiHandlers, operatorNotBuilt } from "./DaemonApiOperator.js"
import {
  type DelegationView,
  FailoverAnswer,
  type FailoverView,
  type WatchdogStatus,
} from "./DaemonApiSchemas.js"
import { DaemonApi } from "./DaemonApiSpec.js"
import { type ApiScreens, tasksApiHandlers } from "./DaemonApiTasks.js"
import { nodesStatus } from "./NodesView.js"
import { staleTasks } from "./Watchdog.js"

/** What the API reads of the daemon's services: the sessions, the counters, the account; where hooks go. */
export interface ApiDispatcher {
  readonly table: SessionTable
  readonly counters: DispatchCounters
  readonly account: () => AccountRef | undefined
  readonly onHook: (
    record: HookRecord,
  ) => Effect.Effect<void, { readonly _tag: string; readonly message?: string }>
  /** A session's pane as capture-pane shows it (undefined: no such pane); absent: no screens (the API alone). */
  readonly capture?: ApiScreens["capture"]
}

/** How `POST /api/failover` is answered: the status and the body. */
export interface FailoverReply {
  readonly status: number
  readonly body: FailoverAnswer
}

/** The failover as the API sees it: a swap request (to `to`, or the next account) and its state. */
export interface FailoverHandler {
  readonly swap: (to: string | undefined, force: boolean) => Effect.Effect<FailoverReply>
  readonly status: Effect.Effect<FailoverView | null>
}

/** A daemon without failover (the API tested alone): 501. */
export const failoverNotBuilt: FailoverHandler = {
  swap: () =>
    Effect.succeed({ status: 501, body: { ok: false, message: "this daemon runs without failover" } }),
  status: Effect.succeed(null),
}

/** `POST /api/failover` and `ccl failover swap` on the Failover service: 200 with what was done, 409 when refused. */
export const failoverHandler = (failover: Context.Tag.Service<Failover>): FailoverHandler => ({
  status: failover.status,
  swap: (to, force) =>
    failover.swap({ reason: "operator request", to, force }).pipe(
      Effect.map((o) => ({
        status: 200,
        body: {
          // Waiting (every account cooling down) swapped nothing: not ok, and the message says until when.
          ok: o.outcome === "swapped",
          message: o.message,
          outcome: o.outcome,
          from: o.from,
          to: o.to,
          relaunched: o.relaunched,
          left_at_shell: o.leftAtShell,
        },
      })),
      Effect.catchAll((e) =>
        Effect.succeed({ status: 409, body: { ok: false, message: e.reason, outcome: "refused" as const } }),
      ),
    ),
})

/** A failure the client cannot fix (the queue could not be read...): 500 with its tag and message. */
const serverError = (e: { readonly _tag: string; readonly message?: string }) =>
  new ServerError({ message: e.message ? `${e._tag}: ${e.message}` : e._tag })

/** The handlers of every DaemonApi endpoint, as layers for HttpApiBuilder.api. */
export const daemonApiHandlers = (
  dispatcher: ApiDispatcher,
  startedAt: number,
  failover: FailoverHandler,
  operator: OperatorHandler = operatorNotBuilt,
) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const delegation = yield* Effect.serviceOption(Delegation)
    const nodes = yield* nodesStatus

    const delegationStatus = Option.match(delegation, {
      onNone: () => Effect.succeed<DelegationView>({ enabled: false }),
      onSome: (d) => Effect.map(d.status, (s): DelegationView => ({ enabled: true, ...s })),
    })

    const watchdog = Effect.map(delegationStatus, (d): WatchdogStatus => {
      const now = Date.now()
      const sessions = dispatcher.table.all()
      return {
        stale_tasks: staleTasks(sessions, now).map(({ task, session, since }) => ({ task, session, since })),
        dead_sessions: sessions.filter((s) => s.phase === "dead").map((s) => s.name),
        delegation: d.enabled ? d.counters : null,
      }
    })

    const status = HttpApiBuilder.group(DaemonApi, "status", (handlers) =>
      handlers
        .handle("status", () =>
          Effect.all({
            pid: Effect.succeed(process.pid),
            started_at: Effect.succeed(new Date(startedAt).toISOString()),
            account: Effect.sync(() => dispatcher.account()?.name ?? null),
            sessions: Effect.sync(() => dispatcher.table.view()),
            queue: queue.counts,
            dispatch: Effect.sync(() => ({ ...dispatcher.counters })),
            delegation: delegationStatus,
            failover: failover.status,
            nodes,
          }).pipe(Effect.mapError(serverError)),
        )
        .handle("sessions", () => Effect.sync(() => dispatcher.table.view()))
        .handle("tasks", ({ urlParams }) =>
          Effect.forEach(urlParams.state === undefined ? TaskStates : [urlParams.state], queue.list).pipe(
            Effect.map((lists) =>
              lists.flat().map((t) => ({
                id: t.id,
                state: t.state,
                path: t.path,
                modified_at: new Date(t.modifiedAt).toISOString(),
                delegated: t.delegated,
              })),
            ),
            Effect.mapError(serverError),
          ),
        )
        .handle("delegated", () => Effect.mapError(delegationStatus, serverError))
        .handle("watchdog", () => Effect.mapError(watchdog, serverError)),
    )

    const control = HttpApiBuilder.group(DaemonApi, "control", (handlers) =>
      handlers
        .handle("hooks", ({ payload }) => Effect.mapError(dispatcher.onHook(payload), serverError))
        .handle("failover", ({ payload }) =>
          failover.swap(payload.to, payload.force === true).pipe(
            Effect.flatMap(({ status, body }) =>
              HttpServerResponse.schemaJson(FailoverAnswer)(body, { status }),
            ),
            Effect.orDie,
          ),
        ),
    )

    const metrics = yield* metricsApiHandlers(dispatcher.table, failover)
    const accounts = yield* accountsApiHandlers(dispatcher, failover)
    const tasks = yield* tasksApiHandlers({
      table: dispatcher.table,
      capture: dispatcher.capture ?? (() => Effect.succeed(undefined)),
    })
    return Layer.mergeAll(status, control, operatorApiHandlers(operator), accounts, metrics, tasks)
  })
