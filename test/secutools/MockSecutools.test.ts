import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Scope, TestClock } from "effect"
import { mockSecutoolsCommand } from "../../src/programs/cli/MockSecutoolsCommand.js"
import { mockCost, startMockSecutools } from "../../src/programs/MockSecutools.js"

interface Reply {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field
  readonly body: any
}

const call = (url: string, init?: RequestInit): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const r = await fetch(url, init)
    const text = await r.text()
    return { status: r.status, headers: r.headers, body: text === "" ? undefined : JSON.parse(text) }
  })

const submitBody = (over: { provider?: string; prompt?: string; task_id?: string } = {}) =>
  JSON.stringify({
    provider: over.provider ?? "gemini",
    prompt: over.prompt ?? "Summarise the logs",
    metadata: { task_id: over.task_id ?? "t1", complexity_hint: "low" },
  })

const submit = (base: string, key: string | undefined, body: string, headers: Record<string, string> = {}) =>
  call(`${base}/v1/jobs`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key === undefined ? {} : { "idempotency-key": key }),
      ...headers,
    },
    body,
  })

const getJob = (base: string, id: string, headers: Record<string, string> = {}) =>
  call(`${base}/v1/jobs/${id}`, { headers })

/** Polls until `done` holds (2 s at most), keeping every value seen. */
const pollUntil = <A>(get: Effect.Effect<A>, done: (a: A) => boolean, seen: Array<A> = []) =>
  Effect.gen(function* () {
    for (let i = 0; i < 400; i++) {
      const a = yield* get
      seen.push(a)
      if (done(a)) return a
      yield* Effect.sleep("5 millis")
    }
    return yield* Effect.dieMessage("pollUntil: condition never held")
  })

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

describe("mock secutools: jobs", () => {
  it.scopedLive("submit -> queued -> running -> completed, with a result and a cost", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ jobMs: 1_000 })
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`)
      expect(mock.port).toBeGreaterThan(0)
      const accepted = yield* submit(mock.url, "task-t1", submitBody({ prompt: "Summarise the logs" }))
      expect(accepted.status).toBe(202)
      expect(accepted.headers.get("content-type")).toContain("application/json")
      expect(accepted.body.status).toBe("queued")
      expect(accepted.body.job_id).toMatch(UUID)
      const seen: Array<Reply> = []
      const done = yield* pollUntil(
        getJob(mock.url, accepted.body.job_id),
        (r) => r.body.status === "completed",
        seen,
      )
      const order = ["queued", "running", "completed"]
      const statuses = seen.map((r) => r.body.status as string).filter((s, i, all) => s !== all[i - 1])
      // Every status is one of the three, in order, none skipped once seen; running is 800 ms wide (a loaded machine may pause a poll loop for a while).
      expect(order.join(",")).toContain(statuses.join(","))
      expect(statuses).toContain("running")
      expect(seen.every((r) => r.status === 200)).toBe(true)
      for (const r of seen.filter((r) => r.body.status !== "completed")) {
        expect(r.body.result).toBeUndefined()
        expect(r.body.cost_usd).toBeUndefined()
        expect(r.body.finished_at).toBeUndefined()
      }
      expect(done.body).toEqual({
        job_id: accepted.body.job_id,
        status: "completed",
        provider: "gemini",
        result: "gemini finished task t1: Summarise the logs",
        cost_usd: mockCost("gemini", "Summarise the logs"),
        created_at: expect.any(String),
        finished_at: expect.any(String),
      })
      expect(done.body.cost_usd).toBeGreaterThan(0)
      expect(new Date(done.body.created_at).toISOString()).toBe(done.body.created_at)
      expect(Date.parse(done.body.finished_at) - Date.parse(done.body.created_at)).toBe(1_000)
    }),
  )

  it.scoped("status follows the clock: queued for 20% of jobMs, running until jobMs, then completed", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ jobMs: 1000 })
      const { body } = yield* submit(mock.url, "k", submitBody({ provider: "gpu", prompt: "x".repeat(100) }))
      const status = Effect.map(getJob(mock.url, body.job_id), (r) => r.body.status)
      expect(yield* status).toBe("queued")
      yield* TestClock.adjust("199 millis")
      expect(yield* status).toBe("queued")
      yield* TestClock.adjust("1 millis")
      expect(yield* status).toBe("running")
      yield* TestClock.adjust("799 millis")
      expect(yield* status).toBe("running")
      yield* TestClock.adjust("1 millis")
      const done = yield* getJob(mock.url, body.job_id)
      expect(done.body.status).toBe("completed")
      expect(done.body.result).toBe(`gpu finished task t1: ${"x".repeat(60)}`)
      expect(done.body.finished_at).toBe(new Date(1000).toISOString())
      expect(done.body.created_at).toBe(new Date(0).toISOString())
      // Deterministic and provider- and length-dependent.
      expect(done.body.cost_usd).toBe(mockCost("gpu", "x".repeat(100)))
      expect(mockCost("gpu", "x".repeat(100))).not.toBe(mockCost("gemini", "x".repeat(100)))
      expect(mockCost("gpu", "x".repeat(1000))).toBeGreaterThan(mockCost("gpu", "x".repeat(100)))
    }),
  )

  it.scoped("a prompt containing [fail] ends failed with an error and no result", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ jobMs: 100 })
      const { body } = yield* submit(mock.url, "k", submitBody({ prompt: "please [fail] now" }))
      expect((yield* getJob(mock.url, body.job_id)).body.error).toBeUndefined()
      yield* TestClock.adjust("100 millis")
      const failed = yield* getJob(mock.url, body.job_id)
      expect(failed.status).toBe(200)
      expect(failed.body).toEqual({
        job_id: body.job_id,
        status: "failed",
        provider: "gemini",
        error: "provider error: the task asked to fail",
        created_at: new Date(0).toISOString(),
        finished_at: new Date(100).toISOString(),
      })
    }),
  )

  it.scoped("re-posting an Idempotency-Key returns the same job and creates no other", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ jobMs: 100 })
      const first = yield* submit(mock.url, "task-a", submitBody())
      yield* TestClock.adjust("50 millis")
      const again = yield* submit(mock.url, "task-a", submitBody())
      expect(first.status).toBe(202)
      expect(again.status).toBe(202)
      expect(again.body).toEqual({ job_id: first.body.job_id, status: "running" })
      expect(yield* mock.stats).toMatchObject({ submits: 2, jobs: 1 })
      const other = yield* submit(mock.url, "task-b", submitBody())
      expect(other.body.job_id).not.toBe(first.body.job_id)
      expect(yield* mock.stats).toMatchObject({ submits: 3, jobs: 2 })
    }),
  )

  it.scoped("a POST without Idempotency-Key is refused with 400", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools()
      const missing = yield* submit(mock.url, undefined, submitBody())
      expect(missing.status).toBe(400)
      expect(missing.body.error).toContain("Idempotency-Key")
      const blank = yield* submit(mock.url, " ", submitBody())
      expect(blank.status).toBe(400)
      expect((yield* mock.stats).jobs).toBe(0)
    }),
  )

  it.scoped("a malformed body is refused with 400 and says what is wrong", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools()
      const notJson = yield* submit(mock.url, "k1", "{not json")
      expect(notJson.status).toBe(400)
      expect(notJson.headers.get("content-type")).toContain("application/json")
      expect(notJson.body.error).toMatch(/^invalid body: .*JSON/)
      const missing = yield* submit(
        mock.url,
        "k2",
        JSON.stringify({ provider: "gemini", prompt: "p", metadata: {} }),
      )
      expect(missing.status).toBe(400)
      expect(missing.body.error).toContain("metadata.task_id")
      const wrongType = yield* submit(
        mock.url,
        "k3",
        JSON.stringify({ provider: "gemini", prompt: 42, metadata: { task_id: "t" } }),
      )
      expect(wrongType.status).toBe(400)
      expect(wrongType.body.error).toContain("prompt")
      expect((yield* mock.stats).jobs).toBe(0)
    }),
  )

  it.scoped("an unknown provider is refused with 422; gpu, gemini and claude-api are accepted", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools()
      const unknown = yield* submit(mock.url, "k0", submitBody({ provider: "openai" }))
      expect(unknown.status).toBe(422)
      expect(unknown.body.error).toMatch(/^unknown provider .*openai/)
      for (const provider of ["gpu", "gemini", "claude-api"]) {
        const ok = yield* submit(mock.url, `k-${provider}`, submitBody({ provider }))
        expect(ok.status).toBe(202)
        expect((yield* getJob(mock.url, ok.body.job_id)).body.provider).toBe(provider)
      }
      expect((yield* mock.stats).jobs).toBe(3)
    }),
  )

  it.scoped("an unknown job is 404 job not found; any other route is 404", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools()
      const job = yield* getJob(mock.url, "00000000-0000-0000-0000-000000000000")
      expect(job).toMatchObject({ status: 404, body: { error: "job not found" } })
      expect((yield* call(`${mock.url}/v2/jobs`)).status).toBe(404)
      expect((yield* call(`${mock.url}/v1/jobs`)).status).toBe(404)
      expect((yield* call(`${mock.url}/v1/jobs/x`, { method: "DELETE" })).status).toBe(404)
    }),
  )

  it.scoped("GET /_mock/stats counts requests, submits, jobs and answers by status", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools()
      yield* submit(mock.url, "k", submitBody())
      yield* submit(mock.url, "k", submitBody())
      yield* submit(mock.url, undefined, submitBody())
      yield* getJob(mock.url, "nope")
      const stats = yield* call(`${mock.url}/_mock/stats`)
      expect(stats.status).toBe(200)
      expect(stats.body).toEqual({
        requests: 5,
        submits: 3,
        jobs: 1,
        byStatus: { "202": 2, "400": 1, "404": 1 },
      })
      expect(yield* mock.stats).toEqual({
        requests: 5,
        submits: 3,
        jobs: 1,
        byStatus: { "200": 1, "202": 2, "400": 1, "404": 1 },
      })
    }),
  )
})

describe("mock secutools: auth", () => {
  it.scoped("with a key, a request needs the right bearer token (401 otherwise, stats included)", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ key: "s3cret" })
      const url = `${mock.url}/_mock/stats`
      const none = yield* call(url)
      expect(none.status).toBe(401)
      expect(typeof none.body.error).toBe("string")
      expect(none.body.error).not.toContain("s3cret")
      for (const authorization of ["Bearer s3creX", "Bearer s3cret2", "Bearer ", "Basic s3cret", "s3cret"]) {
        expect((yield* call(url, { headers: { authorization } })).status).toBe(401)
      }
      const refused = yield* submit(mock.url, "k", submitBody())
      expect(refused.status).toBe(401)
      expect((yield* mock.stats).jobs).toBe(0)
      const auth = { authorization: "Bearer s3cret" }
      expect((yield* call(url, { headers: auth })).status).toBe(200)
      const accepted = yield* submit(mock.url, "k", submitBody(), auth)
      expect(accepted.status).toBe(202)
      expect((yield* getJob(mock.url, accepted.body.job_id, auth)).status).toBe(200)
      expect((yield* getJob(mock.url, accepted.body.job_id)).status).toBe(401)
    }),
  )

  it.effect("an empty key or a bad option is refused before listening", () =>
    Effect.gen(function* () {
      for (const options of [{ key: "" }, { port: 70000 }, { jobMs: -1 }, { failFirst: 1.5 }]) {
        const error = yield* Effect.flip(Effect.scoped(startMockSecutools(options)))
        expect(error.reason).toBe("InvalidOptions")
      }
    }),
  )

  it.scoped("a port already in use fails with reason Listen", () =>
    Effect.gen(function* () {
      const first = yield* startMockSecutools()
      const error = yield* Effect.flip(Effect.scoped(startMockSecutools({ port: first.port })))
      expect(error.reason).toBe("Listen")
      expect(error.message).toContain(String(first.port))
    }),
  )
})

describe("mock secutools: faults", () => {
  it.scoped("failFirst 2: two 500s on any route, then the real answer", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ failFirst: 2 })
      const a = yield* submit(mock.url, "k", submitBody())
      const b = yield* call(`${mock.url}/_mock/stats`)
      expect([a.status, b.status]).toEqual([500, 500])
      expect(a.body).toEqual({ error: "injected failure" })
      expect(b.body).toEqual({ error: "injected failure" })
      expect((yield* mock.stats).jobs).toBe(0)
      const c = yield* submit(mock.url, "k", submitBody())
      expect(c.status).toBe(202)
      expect(yield* mock.stats).toMatchObject({
        requests: 3,
        submits: 1,
        jobs: 1,
        byStatus: { "500": 2, "202": 1 },
      })
    }),
  )

  it.scoped("rateLimitFirst 1: 429 with Retry-After: 1, then the real answer", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ rateLimitFirst: 1 })
      const limited = yield* submit(mock.url, "k", submitBody())
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("1")
      expect(limited.body).toEqual({ error: "rate limited" })
      expect((yield* mock.stats).jobs).toBe(0)
      const ok = yield* submit(mock.url, "k", submitBody())
      expect(ok.status).toBe(202)
      expect(ok.headers.get("retry-after")).toBeNull()
    }),
  )

  it.scopedLive("hangFirst 1: the first request gets no answer, the next one does", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ hangFirst: 1 })
      const outcome = yield* Effect.promise(() =>
        fetch(`${mock.url}/_mock/stats`, { signal: AbortSignal.timeout(500) }).then(
          (r) => `answered ${r.status}`,
          (e: Error) => e.name,
        ),
      )
      expect(outcome).toBe("TimeoutError")
      const next = yield* call(`${mock.url}/_mock/stats`)
      expect(next.status).toBe(200)
      expect(next.body.requests).toBe(2)
    }),
  )

  it.scopedLive("faults apply in order hang, rate limit, fail, each consuming only its own counter", () =>
    Effect.gen(function* () {
      const mock = yield* startMockSecutools({ hangFirst: 1, rateLimitFirst: 1, failFirst: 1 })
      const url = `${mock.url}/_mock/stats`
      const hung = yield* Effect.promise(() =>
        fetch(url, { signal: AbortSignal.timeout(300) }).then(
          (r) => r.status,
          (e: Error) => e.name,
        ),
      )
      expect(hung).toBe("TimeoutError")
      expect((yield* call(url)).status).toBe(429)
      expect((yield* call(url)).status).toBe(500)
      expect((yield* call(url)).status).toBe(200)
      expect((yield* call(url)).status).toBe(200)
    }),
  )

  it.live("closing the scope with a hung request outstanding stops the server promptly", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const mock = yield* startMockSecutools({ hangFirst: 1 }).pipe(Scope.extend(scope))
      const hung = fetch(`${mock.url}/_mock/stats`).then(
        () => "answered",
        () => "dropped",
      )
      yield* pollUntil(mock.stats, (s) => s.requests === 1)
      const started = Date.now()
      const closed = yield* Scope.close(scope, Exit.void).pipe(
        Effect.disconnect,
        Effect.timeout("2 seconds"),
        Effect.option,
      )
      const elapsed = Date.now() - started
      expect(closed._tag).toBe("Some")
      expect(elapsed).toBeLessThan(1000)
      expect(yield* Effect.promise(() => hung)).toBe("dropped")
      const after = yield* Effect.promise(() =>
        fetch(`${mock.url}/_mock/stats`, { signal: AbortSignal.timeout(1000) }).then(
          () => "answered",
          () => "refused",
        ),
      )
      expect(after).toBe("refused")
    }),
  )
})

describe("ccl mock-secutools", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.live("prints one listening line, serves with the given options, stops when interrupted", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
        lines.push(args.map(String).join(" "))
      })
      const run = Command.run(mockSecutoolsCommand, { name: "ccl", version: "0.0.0" })
      const fiber = yield* run([
        "node",
        "ccl",
        "--key",
        "s3cret",
        "--fail-first",
        "1",
        "--job-ms",
        "50",
      ]).pipe(Effect.provide(NodeContext.layer), Effect.fork)
      yield* pollUntil(
        Effect.sync(() => lines.length),
        (n) => n > 0,
      )
      expect(lines).toHaveLength(1)
      const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0] ?? "")?.[1]
      expect(url).toBeDefined()
      const base = url ?? ""
      expect((yield* call(`${base}/_mock/stats`)).status).toBe(500)
      expect((yield* call(`${base}/_mock/stats`)).status).toBe(401)
      const auth = { authorization: "Bearer s3cret" }
      const accepted = yield* submit(base, "k", submitBody(), auth)
      expect(accepted.status).toBe(202)
      yield* Effect.sleep(Duration.millis(60))
      expect((yield* getJob(base, accepted.body.job_id, auth)).body.status).toBe("completed")
      yield* Fiber.interrupt(fiber).pipe(Effect.timeout("2 seconds"))
      const after = yield* Effect.promise(() =>
        fetch(`${base}/_mock/stats`, { signal: AbortSignal.timeout(1000) }).then(
          () => "answered",
          () => "refused",
        ),
      )
      expect(after).toBe("refused")
      expect(lines).toHaveLength(1)
    }),
  )
})
