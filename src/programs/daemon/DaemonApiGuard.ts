import { HttpApiDecodeError } from "@effect/platform/HttpApiError"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import { Cause, Effect, Predicate, Redacted } from "effect"
import { bearerMatches } from "../BearerToken.js"
import { BadRequest, Forbidden, NotFound, Unauthorized } from "./DaemonApiErrors.js"
import { isDashboardFile } from "./DashboardRoute.js"

/**
 * Host names a browser reaching this server may give: anything else is refused (DNS rebinding names the
 * attacker's domain). Any port: behind an SSH tunnel (`ssh -L 8080:127.0.0.1:7420`) the browser names its own
 * end's port, and a loopback address can only be reached from this machine or through such a tunnel.
 */
const allowedHostnames = (host: string) => new Set(["127.0.0.1", "localhost", "[::1]", host.toLowerCase()])

/** A Host header: a name or an IPv4 address, or a bracketed IPv6 address, then an optional port. */
const HOST = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i

/** `127.0.0.1:7420` -> `127.0.0.1`, `[::1]:7420` -> `[::1]`, `localhost` -> `localhost`; "" when malformed. */
const hostnameOf = (host: string) => HOST.exec(host)?.[1]?.toLowerCase() ?? ""

/**
 * What fails before a handler runs, as `{ error }` answers: an unknown path (404), a query or body that does not
 * decode or is not JSON at all (400).
 */
const plainErrors = (app: HttpApp.Default): HttpApp.Default<NotFound | BadRequest> =>
  Effect.catchAllCause(app, (cause): Effect.Effect<never, NotFound | BadRequest> => {
    const e = Cause.squash(cause)
    if (Predicate.isTagged(e, "RouteNotFound")) return Effect.fail(new NotFound({ message: "not found" }))
    if (e instanceof HttpApiDecodeError) return Effect.fail(new BadRequest({ message: e.message }))
    if (Predicate.isTagged(e, "RequestError"))
      return Effect.fail(new BadRequest({ message: "body is not JSON" }))
    return Effect.failCause(cause)
  })

/** `GET /metrics` without the token (api.metrics_token false): a scraper on this machine needs no secret. */
const isOpenMetrics = (request: HttpServerRequest.HttpServerRequest) =>
  request.method === "GET" && request.url.split("?")[0] === "/metrics"

/**
 * A request that changes something must come from this server's own page or from no page at all (curl, the
 * CLI): a browser names the page's origin in `Origin` and `Sec-Fetch-Site`; only the origin the request itself
 * was sent to (`http://` + its Host) is this server's page, anything else (another site, another local port's
 * server) is refused.
 */
const crossOrigin = (request: HttpServerRequest.HttpServerRequest, host: string) => {
  if (request.method === "GET" || request.method === "HEAD") return undefined
  const origin = request.headers.origin
  if (origin !== undefined && origin !== `http://${host}`) return `Origin ${JSON.stringify(origin)}`
  const site = request.headers["sec-fetch-site"]
  if (site !== undefined && site !== "same-origin" && site !== "none") return `Sec-Fetch-Site ${site}`
  return undefined
}

/**
 * Every request, before routing: its Host must name this server (403, DNS rebinding), a POST must not come from
 * another site's page (403), when a token is set it must carry it as a bearer token (401, compared in constant
 * time; `GET /metrics` only when `metricsToken`; the dashboard's files never: they hold no data), and a POST must
 * carry JSON (400).
 */
export const guardDaemonApi =
  (api: {
    readonly host: string
    readonly token: Redacted.Redacted | undefined
    readonly metricsToken?: boolean | undefined
  }) =>
  (app: HttpApp.Default): HttpApp.Default<Forbidden | Unauthorized | NotFound | BadRequest> => {
    const hostnames = allowedHostnames(api.host)
    const token = api.token === undefined ? undefined : Redacted.value(api.token)
    return Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const host = request.headers.host ?? ""
      if (!hostnames.has(hostnameOf(host)))
        return yield* Effect.fail(
          new Forbidden({ message: `Host ${JSON.stringify(host)} not allowed: use http://127.0.0.1:<port>` }),
        )
      const foreign = crossOrigin(request, host)
      if (foreign !== undefined)
        return yield* Effect.fail(
          new Forbidden({ message: `cross-origin request refused (${foreign}): use the dashboard at /` }),
        )
      const open =
        isDashboardFile(request.method, request.url) || (api.metricsToken !== true && isOpenMetrics(request))
      const tokenAsked = token !== undefined && !open
      if (tokenAsked && !bearerMatches(request.headers.authorization, token))
        return yield* Effect.fail(
          new Unauthorized({ message: "missing or wrong bearer token (CCL_API_TOKEN)" }),
        )
      // A form or text body would decode as an empty object (`curl -d x` posts a form): only JSON is taken.
      const type = request.headers["content-type"]
      if (request.method === "POST" && !/^application\/json\b/i.test(type ?? ""))
        return yield* Effect.fail(
          new BadRequest({
            message: `a POST body must be JSON (Content-Type: application/json), got ${type === undefined ? "no Content-Type" : JSON.stringify(type)}`,
          }),
        )
      return yield* plainErrors(app)
    })
  }
