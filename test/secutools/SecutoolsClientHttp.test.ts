import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, FastCheck as fc, Layer, Redacted, TestClock } from "effect"
import {
  backoffDelay,
  defaultRetryPolicy,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
} from "../../src/domain/RetryPolicy.js"
import { SecutoolsClientHttp } from "../../src/layers/SecutoolsClientHttp.js"
import { describeSecutoolsError, SecutoolsClient } from "../../src/services/SecutoolsClient.js"

const SENTINEL = "sk-SENTINEL-d0-not-leak-42"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: Record<string, string>
  readonly body: string
}

type Reply = { status: number; body: string; headers?: Record<string, string> } | "hang"

/** A scripted HttpClient: answers replies in order (the last one repeats) and records every request. */
const scripted = (replies: ReadonlyArray<Reply>) => {
  const seen: Array<Seen> = []
  const layer = Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request, url) =>
      Effect.suspend(() => {
        const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
        seen.push({ method: request.method, url: url.toString(), headers: { ...request.headers }, body })
        const reply = replies[Math.min(seen.length - 1, replies.length - 1)]!
        if (reply === "hang") return Effect.never
        return Effect.succeed(
          HttpClientResponse.fromWeb(
            request,
            new Response(reply.body, { status: reply.status, headers: reply.headers ?? {} }),
          ),
        )
      }),
    ),
  )
  return { seen, layer }
}

const policy: RetryPolicy = {
  attempts: 4,
  baseMs: 1_000,
  capMs: 8_000,
  retryAfterCapMs: 300_000,
  attemptTimeoutMs: 5_000,
  deadlineMs: 600_000,
}

const clientLayer = (http: Layer.Layer<HttpClient.HttpClient>, p: RetryPolicy = policy) =>
  SecutoolsClientHttp({ url: "http://secutools.test/api/", apiKey: Redacted.make(SENTINEL), policy: p }).pipe(
    Layer.provide(http),
  )

const job = (status: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ job_id: "j1", status, provider: "gemini", created_at: "2026-11-24T10:00:00Z", ...extra })

const submit = Effect.flatMap(SecutoolsClient, (c) =>
  c.submitJob({ provider: "gemini", prompt: "hi", metadata: { task_id: "t1" }, idempotencyKey: "key-1" }),
)

describe("SecutoolsClient over HTTP (scripted transport, TestClock)", () => {
  it.effect("submit sends bearer auth, Idempotency-Key and the contract's JSON to /v1/jobs", () => {
    const http = scripted([{ status: 202, body: JSON.stringify({ job_id: "j1", status: "queued" }) }])
    return Effect.gen(function* () {
      const accepted = yield* submit
      expect(accepted).toEqual({ job_id: "j1", status: "queued" })
      expect(http.seen).toHaveLength(1)
      const [req] = http.seen
      expect(req!.method).toBe("POST")
      expect(req!.url).toBe("http://secutools.test/api/v1/jobs")
      expect(req!.headers.authorization).toBe(`Bearer ${SENTINEL}`)
      expect(req!.headers["idempotency-key"]).toBe("key-1")
      expect(JSON.parse(req!.body)).toEqual({ provider: "gemini", prompt: "hi", metadata: { task_id: "t1" } })
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("getJob decodes the job; 404 is an error that is not retried", () => {
    const http = scripted([
      {
        status: 200,
        body: job("completed", { result: "done", cost_usd: 0.5, finished_at: "2026-11-24T10:01:00Z" }),
      },
      { status: 404, body: JSON.stringify({ error: "job not found" }) },
    ])
    return Effect.gen(function* () {
      const c = yield* SecutoolsClient
      const j = yield* c.getJob("j1")
      expect(j).toMatchObject({ status: "completed", result: "done", cost_usd: 0.5 })
      expect(http.seen[0]!.url).toBe("http://secutools.test/api/v1/jobs/j1")
      const err = yield* Effect.flip(c.getJob("nope"))
      expect(err).toMatchObject({
        _tag: "SecutoolsHttpError",
        status: 404,
        message: "job not found",
        retryable: false,
      })
      expect(http.seen).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("5xx is retried until the policy's limit, then fails with the last answer", () => {
    const http = scripted([{ status: 503, body: JSON.stringify({ error: "overloaded" }) }])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(submit))
      yield* TestClock.adjust("10 minutes")
      const err = yield* Fiber.join(fiber)
      expect(http.seen).toHaveLength(policy.attempts)
      expect(err).toMatchObject({
        _tag: "SecutoolsHttpError",
        status: 503,
        message: "overloaded",
        retryable: true,
      })
      expect(yield* Effect.flatMap(SecutoolsClient, (c) => c.retries)).toBe(policy.attempts - 1)
      // Every submit of the same call reuses the same Idempotency-Key.
      expect(new Set(http.seen.map((s) => s.headers["idempotency-key"]))).toEqual(new Set(["key-1"]))
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("429 with Retry-After: 120 waits at least 120 s before the next try", () => {
    const http = scripted([
      { status: 429, body: "{}", headers: { "retry-after": "120" } },
      { status: 202, body: JSON.stringify({ job_id: "j1", status: "queued" }) },
    ])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(submit)
      yield* TestClock.adjust("119 seconds")
      expect(http.seen).toHaveLength(1)
      yield* TestClock.adjust("1 second")
      expect(http.seen).toHaveLength(2)
      expect((yield* Fiber.join(fiber)).job_id).toBe("j1")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect.each([400, 401, 403, 409, 422])(
    "%i fails at once with the server's message, no retry",
    (status) => {
      const http = scripted([{ status, body: JSON.stringify({ error: `bad thing ${status}` }) }])
      return Effect.gen(function* () {
        const err = yield* Effect.flip(submit)
        expect(err).toMatchObject({
          _tag: "SecutoolsHttpError",
          status,
          message: `bad thing ${status}`,
          retryable: false,
        })
        expect(http.seen).toHaveLength(1)
      }).pipe(Effect.provide(clientLayer(http.layer)))
    },
  )

  it.effect("408 and 500 are retried, then succeed", () => {
    const http = scripted([
      { status: 408, body: "" },
      { status: 500, body: "<html>oops</html>" },
      { status: 202, body: JSON.stringify({ job_id: "j9", status: "queued" }) },
    ])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(submit)
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).job_id).toBe("j9")
      expect(http.seen).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a malformed 2xx body is a typed decode error, not retried and not a crash", () => {
    const http = scripted([{ status: 200, body: JSON.stringify({ job_id: 5, status: "weird" }) }])
    return Effect.gen(function* () {
      const err = yield* Effect.flip(Effect.flatMap(SecutoolsClient, (c) => c.getJob("j1")))
      expect(err._tag).toBe("SecutoolsDecodeError")
      expect(http.seen).toHaveLength(1)
      const notJson = scripted([{ status: 200, body: "<html>" }])
      const err2 = yield* Effect.flip(
        Effect.flatMap(SecutoolsClient, (c) => c.getJob("j1")).pipe(
          Effect.provide(clientLayer(notJson.layer)),
        ),
      )
      expect(err2._tag).toBe("SecutoolsDecodeError")
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a try that never answers hits the per-attempt timeout and the retry succeeds", () => {
    const http = scripted(["hang", { status: 202, body: JSON.stringify({ job_id: "j2", status: "queued" }) }])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(submit)
      yield* TestClock.adjust("4999 millis")
      expect(http.seen).toHaveLength(1)
      yield* TestClock.adjust("1 minute")
      expect((yield* Fiber.join(fiber)).job_id).toBe("j2")
      expect(http.seen).toHaveLength(2)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("a server that never answers: the overall deadline holds", () => {
    const http = scripted(["hang"])
    const short: RetryPolicy = { ...policy, attempts: 100, deadlineMs: 30_000 }
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.flip(submit))
      yield* TestClock.adjust("30 seconds")
      const err = yield* Fiber.join(fiber)
      expect(err._tag).toBe("SecutoolsTimeout")
      expect(http.seen.length).toBeLessThan(100)
    }).pipe(Effect.provide(clientLayer(http.layer, short)))
  })

  it.effect("waitForResult polls until the job is terminal", () => {
    const http = scripted([
      { status: 200, body: job("queued") },
      { status: 200, body: job("running") },
      { status: 200, body: job("failed", { error: "boom" }) },
    ])
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(
        Effect.flatMap(SecutoolsClient, (c) =>
          c.waitForResult("j1", { intervalMs: 1000, timeoutMs: 60_000 }),
        ),
      )
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ status: "failed", error: "boom" })
      expect(http.seen).toHaveLength(3)
    }).pipe(Effect.provide(clientLayer(http.layer)))
  })

  it.effect("the planted API key appears in no error, whatever the failure", () => {
    const replies: Array<ReadonlyArray<Reply>> = [
      [{ status: 401, body: JSON.stringify({ error: "bad token" }) }],
      [{ status: 500, body: "boom" }],
      [{ status: 200, body: "not json" }],
      ["hang"],
    ]
    return Effect.forEach(replies, (r) => {
      const http = scripted(r)
      return Effect.gen(function* () {
        const fiber = yield* Effect.fork(Effect.flip(submit))
        yield* TestClock.adjust("1 hour")
        const err = yield* Fiber.join(fiber)
        for (const text of [String(err), err.message, JSON.stringify(err), describeSecutoolsError(err)]) {
          expect(text).not.toContain(SENTINEL)
        }
      }).pipe(Effect.provide(clientLayer(http.layer, { ...policy, deadlineMs: 60_000 })))
    })
  })
})

describe("retry policy (pure)", () => {
  it.prop(
    "every backoff delay is within [0, cap]",
    [fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })],
    ([retry, random]) => {
      const d = backoffDelay(defaultRetryPolicy, retry, random)
      expect(d).toBeGreaterThanOrEqual(0)
      expect(d).toBeLessThanOrEqual(defaultRetryPolicy.capMs)
      expect(d).toBeLessThanOrEqual(defaultRetryPolicy.baseMs * 2 ** Math.min(retry, 52))
    },
  )

  it.prop(
    "Retry-After is a floor, capped; the sum of delays of a whole call stays within attempts x max(cap, retry-after cap)",
    [
      fc.integer({ min: 0, max: 20 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    ],
    ([retry, random, retryAfter]) => {
      const d = retryDelay(defaultRetryPolicy, retry, random, retryAfter)
      if (retryAfter !== undefined)
        expect(d).toBeGreaterThanOrEqual(Math.min(retryAfter, defaultRetryPolicy.retryAfterCapMs))
      expect(d).toBeLessThanOrEqual(Math.max(defaultRetryPolicy.capMs, defaultRetryPolicy.retryAfterCapMs))
    },
  )

  it("parses Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-24T10:00:00Z")
    expect(parseRetryAfter("120", now)).toBe(120_000)
    expect(parseRetryAfter("Tue, 24 Nov 2026 10:00:30 GMT", now)).toBe(30_000)
    expect(parseRetryAfter("Tue, 24 Nov 2026 09:00:00 GMT", now)).toBe(0)
    expect(parseRetryAfter("soon", now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it("the jitter is full: delays spread over the whole range", () => {
    const delays = Array.from({ length: 11 }, (_, i) => backoffDelay(defaultRetryPolicy, 3, i / 11))
    expect(Math.min(...delays)).toBe(0)
    expect(Math.max(...delays)).toBeGreaterThan(0.85 * defaultRetryPolicy.baseMs * 8)
  })
})
