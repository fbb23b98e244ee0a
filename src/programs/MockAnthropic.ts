import * as HttpServer from "@effect/platform/HttpServer"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import { Clock, Data, Duration, Effect, Either, type ParseResult, Schema, type Scope, Stream } from "effect"
import {
  type Claim,
  LimitControl,
  type LimitedToken,
  limitHeaders,
  limitMessage,
  TokenLimits,
} from "./MockAnthropicLimits.js"
import { openLogFile, RequestLog, type RequestRecord } from "./MockAnthropicLog.js"
import {
  apiError,
  callerToken,
  describeParseError,
  estimateTokens,
  MessagesBody,
  messageObject,
  outcomeOf,
  promptOf,
  replyFor,
  sseFrames,
  triggersOf,
} from "./MockAnthropicReplies.js"
import { TokenUsage, UsageControl, usageHeaders } from "./MockAnthropicUsage.js"
import { listenOnNode } from "./NodeServer.js"

export type { Claim, LimitControl, LimitedToken } from "./MockAnthropicLimits.js"
export type { RequestRecord } from "./MockAnthropicLog.js"
export type { Trigger } from "./MockAnthropicReplies.js"

/** A local server speaking enough of the Anthropic Messages API for the real Claude Code, with injectable limits. */
export interface MockAnthropicOptions {
  /** Default 0: a random free port. Always 127.0.0.1. */
  readonly port?: number
  /** Every /v1/messages request whose token contains one of these answers the 5-hour limit (429). */
  readonly limitTokens?: ReadonlyArray<string>
  /** When a five_hour limit resets, from the request (or from when a token limit was set); default 2 hours. */
  readonly resetInMs?: number
  /** The same for seven_day; default 3 days. */
  readonly weeklyResetInMs?: number
  /** Append one JSON line per request to this file (created 0600). */
  readonly logFile?: string
  /** Latency before every /v1/messages answer when the prompt has no `[work=MS]`; default 0. */
  readonly replyMs?: number
}

export interface MockAnthropicStats {
  readonly requests: number
  readonly messages: number
  readonly by_status: Record<string, number>
  readonly limited_tokens: ReadonlyArray<LimitedToken>
}

export interface MockAnthropicHandle {
  readonly url: string
  readonly port: number
  readonly stats: Effect.Effect<MockAnthropicStats>
  /** Every request but the GET /_mock/stats and /_mock/requests reads, oldest first (the last 10,000). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** What `POST /_mock/limit` does. */
  readonly setLimit: (control: LimitControl) => Effect.Effect<void>
  /** What `POST /_mock/usage` does. */
  readonly setUsage: (control: UsageControl) => Effect.Effect<void>
}

/** Bad options, the log file cannot be opened, or the server could not listen. */
export class MockAnthropicError extends Data.TaggedError("MockAnthropicError")<{
  readonly reason: "InvalidOptions" | "Log" | "Listen"
  readonly message: string
}> {}

const decodeMessages = Schema.decodeUnknownEither(Schema.parseJson(MessagesBody), { errors: "all" })
const decodeControl = Schema.decodeUnknownEither(Schema.parseJson(LimitControl), { errors: "all" })
const decodeUsage = Schema.decodeUnknownEither(Schema.parseJson(UsageControl), { errors: "all" })

const json = (status: number, body: unknown, headers?: Record<string, string>) =>
  HttpServerResponse.unsafeJson(body, headers === undefined ? { status } : { status, headers })

const invalidBody = (error: ParseResult.ParseError) =>
  json(400, apiError("invalid_request_error", `invalid body: ${describeParseError(error)}`))

const invalidOptions = (message: string) => new MockAnthropicError({ reason: "InvalidOptions", message })

const checkCount = (name: string, value: number, max = Number.MAX_SAFE_INTEGER) =>
  Number.isInteger(value) && value >= 0 && value <= max
    ? Effect.void
    : Effect.fail(invalidOptions(`${name} must be an integer between 0 and ${max}, got ${value}`))

type Note = { -readonly [K in "stream" | "prompt" | "trigger" | "reply"]: RequestRecord[K] }

/** Starts the server on 127.0.0.1 in the current scope; it stops when the scope closes. */
export const startMockAnthropic = (
  options: MockAnthropicOptions = {},
): Effect.Effect<MockAnthropicHandle, MockAnthropicError, Scope.Scope> =>
  Effect.gen(function* () {
    const port = options.port ?? 0
    const resetInMs = options.resetInMs ?? 2 * 3600_000
    const weeklyResetInMs = options.weeklyResetInMs ?? 3 * 86400_000
    const replyMs = options.replyMs ?? 0
    const counts = { port, resetInMs, weeklyResetInMs, replyMs }
    for (const [name, value] of Object.entries(counts))
      yield* checkCount(name, value, name === "port" ? 65535 : undefined)
    if ((options.limitTokens ?? []).some((t) => t === ""))
      return yield* invalidOptions("a limit token must not be empty")
    const logFile = options.logFile
    if (logFile === "") return yield* invalidOptions("the log file name must not be empty")
    if (logFile !== undefined)
      yield* Effect.try({
        try: () => openLogFile(logFile),
        catch: (e) =>
          new MockAnthropicError({ reason: "Log", message: `cannot open the log ${logFile}: ${String(e)}` }),
      })

    const counters = { requests: 0, messages: 0, ids: 0 }
    const byStatus: Record<string, number> = {}
    const log = new RequestLog(logFile)
    const limits = new TokenLimits()
    const usage = new TokenUsage()
    const setUsage = (control: UsageControl) =>
      Effect.map(Clock.currentTimeMillis, (now) =>
        usage.set(control, now, { fiveHourMs: resetInMs, sevenDayMs: weeklyResetInMs }),
      )
    const defaultResetMs = (claim: Claim) => (claim === "seven_day" ? weeklyResetInMs : resetInMs)
    const setLimit = (control: LimitControl) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        if (!control.on) return limits.clear(control.token)
        const claim = control.claim ?? "five_hour"
        const resetMs = control.reset_in_s === undefined ? defaultResetMs(claim) : control.reset_in_s * 1000
        limits.set(control.token, claim, now + resetMs)
      })
    const startedAt = yield* Clock.currentTimeMillis
    for (const token of options.limitTokens ?? []) limits.set(token, "five_hour", startedAt + resetInMs)

    const stats: Effect.Effect<MockAnthropicStats> = Effect.map(Clock.currentTimeMillis, (now) => ({
      requests: counters.requests,
      messages: counters.messages,
      by_status: { ...byStatus },
      limited_tokens: limits.live(now),
    }))
    const requests = Effect.sync(() => log.all())

    const messages = (request: HttpServerRequest.HttpServerRequest, token: string | null, note: Note) =>
      Effect.gen(function* () {
        counters.messages++
        const decoded = decodeMessages(yield* request.text)
        if (Either.isLeft(decoded)) return invalidBody(decoded.left)
        const body = decoded.right
        const prompt = promptOf(body.messages)
        note.stream = body.stream === true
        note.prompt = prompt === null ? null : prompt.slice(0, 200)
        const { workMs, fault } = triggersOf(prompt)
        const delay = workMs ?? replyMs
        // Handlers run uninterruptible (HttpApp.toHandled): only the wait may be cut short by a client that leaves.
        if (delay > 0) yield* Effect.interruptible(Effect.sleep(Duration.millis(delay)))
        const now = yield* Clock.currentTimeMillis
        const outcome = outcomeOf(fault, limits.matching(token, now), now, defaultResetMs)
        if (outcome._tag !== "Reply") note.trigger = outcome.trigger
        if (outcome._tag === "Limit") {
          const { claim, resetAtMs } = outcome
          return json(
            429,
            apiError("rate_limit_error", limitMessage(claim)),
            limitHeaders(claim, resetAtMs, now),
          )
        }
        if (outcome._tag === "Overloaded") return json(529, apiError("overloaded_error", "Overloaded"))
        const reply = replyFor(prompt)
        note.reply = reply
        const id = `msg_mock_${String(++counters.ids).padStart(6, "0")}`
        const model = body.model ?? "claude-mock"
        const inputTokens = estimateTokens(JSON.stringify(body.messages))
        // A token with a usage set is a subscriber: its utilization comes with every answer.
        const used = usage.matching(token)
        const unified = used === undefined ? {} : usageHeaders(used)
        if (!note.stream) return json(200, messageObject(id, model, reply, inputTokens), unified)
        const frames = Stream.fromIterable(sseFrames(id, model, reply, inputTokens))
        return HttpServerResponse.stream(Stream.encodeText(frames), {
          contentType: "text/event-stream",
          headers: { "cache-control": "no-cache", ...unified },
        })
      })

    const countTokens = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.map(request.text, (text) => {
        const decoded = decodeMessages(text)
        return Either.isLeft(decoded)
          ? invalidBody(decoded.left)
          : json(200, { input_tokens: estimateTokens(JSON.stringify(decoded.right.messages)) })
      })

    const limitControl = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const decoded = decodeControl(yield* request.text)
        if (Either.isLeft(decoded))
          return json(400, { error: `invalid body: ${describeParseError(decoded.left)}` })
        yield* setLimit(decoded.right)
        return json(200, { limited_tokens: (yield* stats).limited_tokens })
      })

    const usageControl = (request: HttpServerRequest.HttpServerRequest) =>
      Effect.gen(function* () {
        const decoded = decodeUsage(yield* request.text)
        if (Either.isLeft(decoded))
          return json(400, { error: `invalid body: ${describeParseError(decoded.left)}` })
        yield* setUsage(decoded.right)
        return json(200, { usage: usage.all() })
      })

    const app = Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      counters.requests++
      const at = new Date(yield* Clock.currentTimeMillis).toISOString()
      const path = request.url.split("?")[0] ?? request.url
      const route = `${request.method} ${path}`
      const token = callerToken(request.headers)
      const session = request.headers["x-claude-code-session-id"]
      const note: Note = { stream: null, prompt: null, trigger: null, reply: null }
      const done = (status: number) => {
        byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1
        if (route === "GET /_mock/stats" || route === "GET /_mock/requests") return Effect.void
        const base = { at, method: request.method, path, status, session_id: session ?? null, token }
        const entry: RequestRecord = { ...base, ...note }
        return Effect.sync(() => log.add(entry))
      }
      const response = yield* (
        route === "POST /v1/messages"
          ? messages(request, token, note)
          : route === "POST /v1/messages/count_tokens"
            ? countTokens(request)
            : route === "POST /_mock/limit"
              ? limitControl(request)
              : route === "POST /_mock/usage"
                ? usageControl(request)
                : route === "GET /_mock/stats"
                  ? Effect.map(stats, (s) => json(200, s))
                  : route === "GET /_mock/requests"
                    ? Effect.map(requests, (r) => json(200, r))
                    : request.method === "HEAD"
                      ? Effect.succeed(HttpServerResponse.empty({ status: 204 }))
                      : Effect.succeed(json(200, {}))
      ).pipe(
        Effect.catchTag("RequestError", (e) =>
          Effect.succeed(
            json(400, apiError("invalid_request_error", `cannot read the request: ${e.message}`)),
          ),
        ),
        Effect.onInterrupt(() => done(499)),
      )
      yield* done(response.status)
      return response
    })

    const server = yield* listenOnNode("127.0.0.1", port).pipe(
      Effect.mapError(
        (e) =>
          new MockAnthropicError({
            reason: "Listen",
            message: `cannot listen on 127.0.0.1:${port}: ${e.cause instanceof Error ? e.cause.message : String(e.cause)}`,
          }),
      ),
    )
    yield* HttpServer.serveEffect(app).pipe(Effect.provideService(HttpServer.HttpServer, server))
    const address = server.address
    const bound = address._tag === "TcpAddress" ? address.port : 0
    return { url: `http://127.0.0.1:${bound}`, port: bound, stats, requests, setLimit, setUsage }
  })
