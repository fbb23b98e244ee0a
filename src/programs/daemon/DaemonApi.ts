import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Effect, Either, Option, Redacted, Schema } from "effect"
import { HookRecord } from "../../domain/HookRecord.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { TaskQueue, TaskStates } from "../../services/TaskQueue.js"
import { bearerMatches } from "../BearerToken.js"
import { listenOnNode } from "../NodeServer.js"
import type { Dispatcher } from "./Dispatcher.js"

const json = (status: number, body: unknown) => HttpServerResponse.unsafeJson(body, { status })
const decodeHook = Schema.decodeUnknownEither(Schema.parseJson(HookRecord))

/** Hosts a browser on this machine may name: anything else is refused (DNS rebinding). */
const allowedHosts = (host: string, port: number) =>
  new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `${host}:${port}`])

/**
 * The daemon's HTTP API (DESIGN.md "HTTP API") on `api.host:api.port`: Host header checked, bearer token
 * required when CCL_API_TOKEN is set (constant-time). Returns the bound port.
 */
export const serveDaemonApi = (dispatcher: Dispatcher, startedAt: number) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    const delegation = yield* Effect.serviceOption(Delegation)

    const delegationStatus = Option.match(delegation, {
      onNone: () => Effect.succeed({ enabled: false }),
      onSome: (d) => Effect.map(d.status, (s) => ({ enabled: true, ...s })),
    })

    const status = Effect.gen(function* () {
      return {
        pid: process.pid,
        started_at: new Date(startedAt).toISOString(),
        account: dispatcher.account()?.name ?? null,
        sessions: dispatcher.table.view(),
        queue: yield* queue.counts,
        dispatch: dispatcher.counters,
        delegation: yield* delegationStatus,
      }
    })

    const watchdog = Effect.gen(function* () {
      const now = Date.now()
      const stale = dispatcher.table
        .all()
        .filter((s) => s.task !== undefined && now - s.task.sentAt > settings.watchdog.staleAfterMs)
        .map((s) => ({ task: s.task!.id, session: s.name, since: new Date(s.task!.sentAt).toISOString() }))
      const dead = dispatcher.table
        .all()
        .filter((s) => s.phase === "dead")
        .map((s) => s.name)
      const d = yield* delegationStatus
      return { stale_tasks: stale, dead_sessions: dead, delegation: "counters" in d ? d.counters : null }
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.get(
        "/api/status",
        Effect.map(status, (b) => json(200, b)),
      ),
      HttpRouter.get(
        "/api/sessions",
        Effect.sync(() => json(200, dispatcher.table.view())),
      ),
      HttpRouter.get(
        "/api/tasks",
        Effect.gen(function* () {
          const { state } = yield* HttpServerRequest.schemaSearchParams(
            Schema.Struct({ state: Schema.optional(Schema.Literal(...TaskStates)) }),
          ).pipe(Effect.orElseSucceed(() => ({ state: "invalid" as const })))
          if (state === "invalid")
            return json(400, { error: `state must be one of ${TaskStates.join(", ")}` })
          const states = state === undefined ? TaskStates : [state]
          const lists = yield* Effect.forEach(states, (s) => queue.list(s))
          return json(200, lists.flat())
        }),
      ),
      HttpRouter.get(
        "/api/delegated/status",
        Effect.map(delegationStatus, (b) => json(200, b)),
      ),
      HttpRouter.get(
        "/watchdog/status",
        Effect.map(watchdog, (b) => json(200, b)),
      ),
      HttpRouter.post(
        "/api/hooks",
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const decoded = decodeHook(yield* request.text)
          if (Either.isLeft(decoded))
            return json(400, { error: "not a hook event: { event, ccl_session, received_at, payload }" })
          yield* dispatcher.onHook(decoded.right)
          return HttpServerResponse.empty({ status: 204 })
        }),
      ),
      HttpRouter.post(
        "/api/failover",
        Effect.succeed(json(501, { error: "account failover is not built yet (issue 5)" })),
      ),
    )

    const hosts = allowedHosts(settings.api.host, settings.api.port)
    const token = settings.api.token === undefined ? undefined : Redacted.value(settings.api.token)
    const app = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const host = request.headers.host ?? ""
      if (
        !hosts.has(host) &&
        !(settings.api.port === 0 && /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/.test(host))
      ) {
        return json(403, { error: `Host ${JSON.stringify(host)} not allowed: use http://127.0.0.1:<port>` })
      }
      if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
        return json(401, { error: "missing or wrong bearer token (CCL_API_TOKEN)" })
      }
      return yield* router
    }).pipe(
      Effect.catchTags({
        RouteNotFound: () => Effect.succeed(json(404, { error: "not found" })),
        RequestError: (e) => Effect.succeed(json(400, { error: e.message })),
      }),
      Effect.catchAll((e) =>
        Effect.succeed(json(500, { error: String((e as { _tag?: string })._tag ?? e) })),
      ),
    )

    const server = yield* listenOnNode(settings.api.host, settings.api.port)
    yield* HttpServer.serveEffect(app).pipe(Effect.provideService(HttpServer.HttpServer, server))
    return server.address._tag === "TcpAddress" ? server.address.port : settings.api.port
  })
