import { randomUUID } from "node:crypto"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Clock, Data, Effect, Either, ParseResult, Schema, type Scope } from "effect"
import { bearerMatches } from "./BearerToken.js"
import { jobView, PROVIDERS, type StoredJob, SubmitBody, statusAt } from "./MockSecutoolsJobs.js"
import { listenOnNode } from "./NodeServer.js"

export { mockCost, PROVIDERS } from "./MockSecutoolsJobs.js"

/** A mock secutools server (DESIGN.md "Secutools contract") with injectable faults, for tests and the demo. */
export interface MockSecutoolsOptions {
  /** Default "127.0.0.1". */
  readonly host?: string
  /** Default 0: a random free port. */
  readonly port?: number
  /** When set, every request must carry `Authorization: Bearer <key>`, else 401. */
  readonly key?: string
  /** How long a job takes: queued for the first 20%, running until jobMs, then completed or failed (default 200). */
  readonly jobMs?: number
  /** The first N requests (any route) answer 500. */
  readonly failFirst?: number
  /** The first N requests answer 429 with `Retry-After: 1`. */
  readonly rateLimitFirst?: number
  /** The first N requests are accepted and never answered (until the server stops). */
  readonly hangFirst?: number
}

export interface MockStats {
  readonly requests: number
  readonly submits: number
  readonly jobs: number
  /** Responses sent, by HTTP status code ("202", "429", ...). Hung requests are not counted. */
  readonly byStatus: Record<string, number>
}

export interface MockSecutoolsHandle {
  readonly url: string
  readonly port: number
  readonly stats: Effect.Effect<MockStats>
}

/** Bad options, or the server could not listen (address in use, permission). */
export class MockSecutoolsError extends Data.TaggedError("MockSecutoolsError")<{
  readonly reason: "InvalidOptions" | "Listen"
  readonly message: string
}> {}

const decodeSubmit = Schema.decodeUnknownEither(Schema.parseJson(SubmitBody), { errors: "all" })

const json = (status: number, body: unknown, headers?: Record<string, string>) =>
  HttpServerResponse.unsafeJson(body, headers === undefined ? { status } : { status, headers })

const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")

const checkCount = (name: string, value: number, max = Number.MAX_SAFE_INTEGER) =>
  Number.isInteger(value) && value >= 0 && value <= max
    ? Effect.void
    : Effect.fail(
        new MockSecutoolsError({
          reason: "InvalidOptions",
          message: `${name} must be an integer between 0 and ${max}, got ${value}`,
        }),
      )

/** Starts the server in the current scope; it stops when the scope closes. */
export const startMockSecutools = (
  options: MockSecutoolsOptions = {},
): Effect.Effect<MockSecutoolsHandle, MockSecutoolsError, Scope.Scope> =>
  Effect.gen(function* () {
    const host = options.host ?? "127.0.0.1"
    const jobMs = options.jobMs ?? 200
    const key = options.key
    if (key === "")
      return yield* new MockSecutoolsError({ reason: "InvalidOptions", message: "key must not be empty" })
    yield* checkCount("port", options.port ?? 0, 65535)
    yield* checkCount("jobMs", jobMs)
    yield* checkCount("failFirst", options.failFirst ?? 0)
    yield* checkCount("rateLimitFirst", options.rateLimitFirst ?? 0)
    yield* checkCount("hangFirst", options.hangFirst ?? 0)

    const faults = {
      hang: options.hangFirst ?? 0,
      rateLimit: options.rateLimitFirst ?? 0,
      fail: options.failFirst ?? 0,
    }
    const counters = { requests: 0, submits: 0 }
    const byStatus: Record<string, number> = {}
    const jobs = new Map<string, StoredJob>()
    const byIdempotencyKey = new Map<string, string>()

    const stats: Effect.Effect<MockStats> = Effect.sync(() => ({
      requests: counters.requests,
      submits: counters.submits,
      jobs: jobs.size,
      byStatus: { ...byStatus },
    }))

    const submit = Effect.gen(function* () {
      counters.submits++
      const request = yield* HttpServerRequest.HttpServerRequest
      const idempotencyKey = request.headers["idempotency-key"]
      if (idempotencyKey === undefined || idempotencyKey.trim() === "")
        return json(400, { error: "missing Idempotency-Key header" })
      const text = yield* request.text
      const decoded = decodeSubmit(text)
      if (Either.isLeft(decoded))
        return json(400, { error: `invalid body: ${describeParseError(decoded.left)}` })
      const body = decoded.right
      if (!(PROVIDERS as ReadonlyArray<string>).includes(body.provider))
        return json(422, {
          error: `unknown provider ${JSON.stringify(body.provider)}: expected one of ${PROVIDERS.join(", ")}`,
        })
      const now = yield* Clock.currentTimeMillis
      const existing = byIdempotencyKey.get(idempotencyKey)
      const job = (existing === undefined ? undefined : jobs.get(existing)) ?? {
        id: randomUUID(),
        body,
        createdAt: now,
      }
      if (existing === undefined) {
        jobs.set(job.id, job)
        byIdempotencyKey.set(idempotencyKey, job.id)
      }
      return json(202, { job_id: job.id, status: statusAt(job, now, jobMs) })
    })

    const getJob = Effect.gen(function* () {
      const { job_id } = yield* HttpRouter.params
      const job = job_id === undefined ? undefined : jobs.get(job_id)
      if (job === undefined) return json(404, { error: "job not found" })
      return json(200, jobView(job, yield* Clock.currentTimeMillis, jobMs))
    })

    const router = HttpRouter.empty.pipe(
      HttpRouter.post("/v1/jobs", submit),
      HttpRouter.get("/v1/jobs/:job_id", getJob),
      HttpRouter.get(
        "/_mock/stats",
        Effect.map(stats, (s) => json(200, s)),
      ),
    )

    const app = Effect.gen(function* () {
      counters.requests++
      if (faults.hang > 0) {
        faults.hang--
        return yield* Effect.never
      }
      if (faults.rateLimit > 0) {
        faults.rateLimit--
        return json(429, { error: "rate limited" }, { "retry-after": "1" })
      }
      if (faults.fail > 0) {
        faults.fail--
        return json(500, { error: "injected failure" })
      }
      if (key !== undefined) {
        const request = yield* HttpServerRequest.HttpServerRequest
        if (!bearerMatches(request.headers.authorization, key))
          return json(
            401,
            { error: "missing or wrong bearer token" },
            { "www-authenticate": 'Bearer realm="secutools"' },
          )
      }
      return yield* router
    }).pipe(
      Effect.catchTags({
        RouteNotFound: () => Effect.succeed(json(404, { error: "not found" })),
        RequestError: (e) => Effect.succeed(json(400, { error: `cannot read the request: ${e.message}` })),
      }),
      Effect.tap((response) =>
        Effect.sync(() => {
          const code = String(response.status)
          byStatus[code] = (byStatus[code] ?? 0) + 1
        }),
      ),
    )

    const server = yield* listenOnNode(host, options.port ?? 0).pipe(
      Effect.mapError(
        (e) =>
          new MockSecutoolsError({
            reason: "Listen",
            message: `cannot listen on ${host}:${options.port ?? 0}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`,
          }),
      ),
    )
    yield* HttpServer.serveEffect(app).pipe(Effect.provideService(HttpServer.HttpServer, server))

    const address = server.address
    const port = address._tag === "TcpAddress" ? address.port : 0
    const bound = address._tag === "TcpAddress" ? address.hostname : host
    const urlHost =
      bound === "0.0.0.0" || bound === "::" ? "127.0.0.1" : bound.includes(":") ? `[${bound}]` : bound
    return { url: `http://${urlHost}:${port}`, port, stats }
  })
