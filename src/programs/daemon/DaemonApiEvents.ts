import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { type Context, Effect, Stream } from "effect"
import type { DaemonEvents } from "../../services/DaemonEvents.js"
import { BadRequest } from "./DaemonApiErrors.js"
import { daemonEventsSse } from "./DaemonEventsSse.js"

/**
 * Where a client resumes: the `Last-Event-ID` header (a reconnecting client), else `?since=<id>` (0: every kept
 * event), else nowhere (live from now: a new client has just read /api/status).
 */
const resumePoint = (request: HttpServerRequest.HttpServerRequest) => {
  const header = request.headers["last-event-id"]
  const query = new URL(request.url, "http://localhost").searchParams.get("since")
  const [name, value] = header !== undefined ? ["Last-Event-ID", header] : ["since", query]
  if (value === null || value === undefined) return Effect.succeed(undefined)
  if (!/^\d{1,15}$/.test(value.trim()))
    return Effect.fail(
      new BadRequest({
        message: `${name} must be an event id (a whole number), got ${JSON.stringify(value)}`,
      }),
    )
  return Effect.succeed(Number(value.trim()))
}

/**
 * `GET /api/events` (Server-Sent Events) on the API's router: a plain route rather than an HttpApi endpoint, whose
 * answers are schema-encoded bodies, not an open stream. The API's middleware (Host, token) applies to it too.
 */
export const daemonEventsRoute = (events: Context.Tag.Service<typeof DaemonEvents>) =>
  HttpApiBuilder.Router.use((router) =>
    router.get(
      "/api/events",
      Effect.gen(function* () {
        const lastId = yield* resumePoint(yield* HttpServerRequest.HttpServerRequest)
        return HttpServerResponse.stream(Stream.encodeText(daemonEventsSse(events, lastId)), {
          contentType: "text/event-stream",
          // no-transform: a compressing proxy would hold events back until its buffer fills.
          headers: { "cache-control": "no-cache, no-transform", "x-accel-buffering": "no" },
        })
      }),
    ),
  )
