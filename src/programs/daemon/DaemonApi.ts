import * as Etag from "@effect/platform/Etag"
import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpPlatform from "@effect/platform/HttpPlatform"
import * as HttpServer from "@effect/platform/HttpServer"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Layer } from "effect"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { listenOnNode } from "../NodeServer.js"
import { daemonEventsRoute } from "./DaemonApiEvents.js"
import { guardDaemonApi } from "./DaemonApiGuard.js"
import {
  type ApiDispatcher,
  daemonApiHandlers,
  type FailoverHandler,
  failoverNotBuilt,
} from "./DaemonApiHandlers.js"
import type { OperatorHandler } from "./DaemonApiOperator.js"
import { DaemonApi } from "./DaemonApiSpec.js"
import { dashboardRoute } from "./DashboardRoute.js"

/**
 * What HttpApiBuilder's router asks of the platform (file bodies, etags; the API sends neither): the generic
 * HttpPlatform rather than Node's, which would bundle a 36 KB mime table.
 */
const routerServices = Layer.mergeAll(HttpPlatform.layer, Etag.layerWeak).pipe(
  Layer.provideMerge(NodeContext.layer),
)

export type { ApiDispatcher, FailoverHandler, FailoverReply } from "./DaemonApiHandlers.js"
export type { OperatorHandler } from "./DaemonApiOperator.js"

/**
 * Serves DaemonApi (DESIGN.md "HTTP API") on `api.host:api.port` until the scope closes: Host header checked,
 * bearer token required when CCL_API_TOKEN is set (constant-time), both before routing. `failover` answers
 * `POST /api/failover` (default 501), `operator` the cancel, clear, pause and resume endpoints (default 500),
 * `GET /api/events` streams DaemonEvents, `GET /` is the dashboard (src/web). Returns the bound port.
 */
export const serveDaemonApi = (
  dispatcher: ApiDispatcher,
  startedAt: number,
  failover: FailoverHandler = failoverNotBuilt,
  operator?: OperatorHandler,
) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const server = yield* listenOnNode(settings.api.host, settings.api.port)
    const port = server.address._tag === "TcpAddress" ? server.address.port : settings.api.port
    const handlers = yield* daemonApiHandlers(dispatcher, startedAt, failover, operator)
    const guard = guardDaemonApi({
      host: settings.api.host,
      token: settings.api.token,
      metricsToken: settings.api.metricsToken,
    })
    const events = yield* DaemonEvents
    const live = HttpApiBuilder.serve().pipe(
      Layer.provide(HttpApiBuilder.middleware(DaemonApi, guard)),
      Layer.provide(HttpApiBuilder.api(DaemonApi).pipe(Layer.provide(handlers))),
      Layer.provide(daemonEventsRoute(events)),
      Layer.provide(dashboardRoute),
      Layer.provide(routerServices),
      Layer.provide(Layer.succeed(HttpServer.HttpServer, server)),
    )
    yield* Layer.buildWithScope(live, yield* Effect.scope)
    return port
  })
