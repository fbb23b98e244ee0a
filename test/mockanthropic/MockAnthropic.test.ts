// The mock Anthropic Messages API over real HTTP on a random port: the SSE stream the real Claude Code reads,
// the triggers, per-token limits, the request log; and `ccl mock-anthropic` in process and built.

import { spawn } from "node:child_process"
import { readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { Command } from "@effect/cli"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterEach, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { mockAnthropicCommand } from "../../src/programs/cli/MockAnthropicCommand.js"
import { type RequestRecord, startMockAnthropic } from "../../src/programs/MockAnthropic.js"
import { promptOf, replyFor, triggersOf } from "../../src/programs/MockAnthropicReplies.js"
import { CCL, runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field
  readonly body: any
}

const call = (url: string, init?: RequestInit): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const r = await fetch(url, init)
    const text = await r.text()
    const json = (r.headers.get("content-type") ?? "").includes("application/json")
    return {
      status: r.status,
      headers: r.headers,
      text,
      body: json && text !== "" ? JSON.parse(text) : undefined,
    }
  })

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  })

/** A body as Claude Code 2.1.332 sends it: a reminder block, the prompt, then a `system` role message. */
const claudeBody = (prompt: string, stream = true) => ({
  model: "claude-sonnet-5-5",
  max_tokens: 128000,
  stream,
  system: [{ type: "text", text: "You are Claude Code, Anthropic's official CLI for Claude." }],
  tools: [{ name: "Bash", input_schema: { type: "object" } }],
  thinking: { type: "adaptive" },
  messages: [
    {
      role: "user",
      content: [
        { type: "text", text: "<system-reminder>\nAttribution for git commits\n</system-reminder>" },
        { type: "text", text: prompt },
      ],
    },
    { role: "system", content: [{ type: "text", text: "# Environment\nPrimary working directory: /tmp" }] },
  ],
})

const asClaude = (token: string) => ({
  authorization: `Bearer ${token}`,
  "x-claude-code-session-id": "dde680dc-7673-4dc9-9f01-a6f571adfe8d",
  "user-agent": "claude-cli/2.1.332 (external, cli)",
})

const messages = (base: string, prompt: string, token = "tok-main", stream = false) =>
  post(`${base}/v1/messages?beta=true`, claudeBody(prompt, stream), asClaude(token))

const sse = (text: string) =>
  text
    .split("\n\n")
    .filter((f) => f !== "")
    .map((f) => {
      const [event, data] = f.split("\n")
      return {
        event: event?.replace(/^event: /, ""),
        data: JSON.parse(data?.replace(/^data: /, "") ?? "null"),
      }
    })

const pollUntil = <A>(get: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 400; i++) {
      const a = yield* get
      if (done(a)) return a
      yield* Effect.sleep("5 millis")
    }
    return yield* Effect.dieMessage("pollUntil: condition never held")
  })

const nowS = () => Math.floor(Date.now() / 1000)

describe("mock anthropic: prompt and triggers (pure)", () => {
  it("the prompt is the last non-reminder text of the last user message", () => {
    expect(promptOf(claudeBody("hello world").messages)).toBe("hello world")
    expect(promptOf([{ role: "user", content: "plain" }])).toBe("plain")
    expect(
      promptOf([
        { role: "user", content: "first" },
        { role: "assistant", content: "Done: first" },
        {
          role: "user",
          content: [{ type: "image" }, { type: "text", text: "second" }, { type: "tool_result" }],
        },
      ]),
    ).toBe("second")
    expect(promptOf([{ role: "user", content: [{ type: "text", text: "<system-reminder>x" }] }])).toBeNull()
    expect(promptOf([])).toBeNull()
  })

  it("the reply is Done: and 40 characters, whitespace collapsed", () => {
    expect(replyFor("hello world")).toBe("Done: hello world")
    expect(replyFor("  a\n\n  b\tc ")).toBe("Done: a b c")
    expect(replyFor("x".repeat(100))).toBe(`Done: ${"x".repeat(40)}`)
    expect(replyFor(null)).toBe("Done: (no prompt)")
    // As Claude Code 2.1.332 sends a paste: the tags go, the text stays.
    const paste = '\n\n<pasted_content id="1419">\nline one\nline two\n</pasted_content id="1419">\n'
    expect(replyFor(paste)).toBe("Done: line one line two")
    expect(replyFor(`see ${paste} please`)).toBe("Done: see line one line two please")
  })

  it("triggers: work, limit with a claim and a reset, overloaded", () => {
    expect(triggersOf("go [work=250]")).toEqual({ workMs: 250, fault: undefined })
    expect(triggersOf("[limit]").fault).toEqual({ _tag: "Limit", claim: "five_hour", resetInS: undefined })
    expect(triggersOf("[limit reset=60]").fault).toEqual({ _tag: "Limit", claim: "five_hour", resetInS: 60 })
    expect(triggersOf("[limit=seven_day reset=5]").fault).toEqual({
      _tag: "Limit",
      claim: "seven_day",
      resetInS: 5,
    })
    expect(triggersOf("[overloaded]").fault).toEqual({ _tag: "Overloaded" })
    expect(triggersOf("[limit=monthly] [work=x]")).toEqual({ workMs: undefined, fault: undefined })
    expect(triggersOf(null)).toEqual({ workMs: undefined, fault: undefined })
  })
})

describe("mock anthropic: messages", () => {
  it.scopedLive("a streamed answer: the SSE events in order, the text reassembled from the deltas", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      expect(mock.url).toBe(`http://127.0.0.1:${mock.port}`)
      const prompt = "Please   refactor the\nqueue module and add tests for it, thanks"
      const r = yield* messages(mock.url, prompt, "tok-main", true)
      expect(r.status).toBe(200)
      expect(r.headers.get("content-type")).toContain("text/event-stream")
      expect(r.text).toMatch(/^event: message_start\ndata: \{/)
      const frames = sse(r.text)
      const types = frames.map((f) => f.event)
      expect(types[0]).toBe("message_start")
      expect(types.slice(1, 2)).toEqual(["content_block_start"])
      expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"])
      const deltas = frames.filter((f) => f.event === "content_block_delta")
      expect(deltas.length).toBeGreaterThan(1)
      expect(deltas.length).toBe(types.length - 5)
      for (const f of frames) expect(f.data.type).toBe(f.event)
      expect(frames[0]?.data.message).toMatchObject({
        id: expect.stringMatching(/^msg_/),
        type: "message",
        role: "assistant",
        model: "claude-sonnet-5-5",
        content: [],
        stop_reason: null,
        usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
      })
      expect(frames[1]?.data).toEqual({
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      })
      const text = deltas.map((f) => (f.data.delta.type === "text_delta" ? f.data.delta.text : "")).join("")
      expect(text).toBe("Done: Please refactor the queue module and add")
      expect(frames.at(-2)?.data).toMatchObject({
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: expect.any(Number) },
      })
    }),
  )

  it.scoped("stream false or absent: one JSON message", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const r = yield* messages(mock.url, "hello world")
      expect(r.status).toBe(200)
      expect(r.headers.get("content-type")).toContain("application/json")
      expect(r.body).toEqual({
        id: expect.stringMatching(/^msg_/),
        type: "message",
        role: "assistant",
        model: "claude-sonnet-5-5",
        content: [{ type: "text", text: "Done: hello world" }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: expect.any(Number), output_tokens: expect.any(Number) },
      })
      const bare = yield* post(`${mock.url}/v1/messages`, { messages: [{ role: "user", content: "hi" }] })
      expect(bare.body.content).toEqual([{ type: "text", text: "Done: hi" }])
      expect(bare.body.id).not.toBe(r.body.id)
    }),
  )

  it.scoped("a body that is not a Messages request is 400 invalid_request_error", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      for (const body of ["{not json", { model: "m" }, { messages: [{ role: "user", content: 5 }] }]) {
        const r = yield* post(`${mock.url}/v1/messages`, body)
        expect(r.status).toBe(400)
        expect(r.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } })
        expect(r.body.error.message).toMatch(/^invalid body: /)
      }
    }),
  )

  it.scoped("count_tokens answers a rough estimate", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const small = yield* post(`${mock.url}/v1/messages/count_tokens?beta=true`, claudeBody("hi"))
      const big = yield* post(`${mock.url}/v1/messages/count_tokens`, claudeBody("word ".repeat(2000)))
      expect(small.status).toBe(200)
      expect(Object.keys(small.body)).toEqual(["input_tokens"])
      expect(small.body.input_tokens).toBeGreaterThan(0)
      expect(big.body.input_tokens).toBeGreaterThan(small.body.input_tokens + 2000)
      expect((yield* post(`${mock.url}/v1/messages/count_tokens`, "nope")).status).toBe(400)
      expect((yield* mock.stats).messages).toBe(0)
    }),
  )

  it.scoped("any other path or method: 200 {}, HEAD 204", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const hello = yield* call(`${mock.url}/api/hello`, { method: "HEAD" })
      expect(hello.status).toBe(204)
      for (const [p, method] of [
        ["/api/oauth/profile", "GET"],
        ["/v1/messages", "GET"],
        ["/v1/other", "POST"],
        ["/", "DELETE"],
      ] as const) {
        const r = yield* call(`${mock.url}${p}`, { method })
        expect(r.status).toBe(200)
        expect(r.body).toEqual({})
      }
      const logged = yield* mock.requests
      expect(logged.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        "HEAD /api/hello 204",
        "GET /api/oauth/profile 200",
        "GET /v1/messages 200",
        "POST /v1/other 200",
        "DELETE / 200",
      ])
    }),
  )
})

describe("mock anthropic: faults", () => {
  it.scoped("[limit]: 429 rate_limit_error with the unified headers, reset now + 2 h (TestClock at 0)", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const r = yield* messages(mock.url, "do it [limit]")
      expect(r.status).toBe(429)
      expect(r.body).toEqual({
        type: "error",
        error: { type: "rate_limit_error", message: expect.any(String) },
      })
      const h = Object.fromEntries(
        [...r.headers.entries()].filter(([k]) => k.startsWith("anthropic-") || k === "retry-after"),
      )
      expect(h).toEqual({
        "anthropic-ratelimit-unified-status": "rejected",
        "anthropic-ratelimit-unified-reset": "7200",
        "anthropic-ratelimit-unified-representative-claim": "five_hour",
        "anthropic-ratelimit-unified-5h-status": "rejected",
        "anthropic-ratelimit-unified-5h-reset": "7200",
        "anthropic-ratelimit-unified-5h-utilization": "1.0",
        "anthropic-ratelimit-unified-7d-status": "allowed",
        "anthropic-ratelimit-unified-7d-reset": String(3 * 86400),
        "anthropic-ratelimit-unified-7d-utilization": "0.4",
        "anthropic-ratelimit-unified-overage-status": "rejected",
        "anthropic-ratelimit-unified-overage-disabled-reason": "org_level_disabled",
        "retry-after": "7200",
      })
      const custom = yield* messages(mock.url, "[limit reset=90] again")
      expect(custom.headers.get("anthropic-ratelimit-unified-reset")).toBe("90")
      expect(custom.headers.get("retry-after")).toBe("90")
    }),
  )

  it.scopedLive(
    "[limit] on the real clock: reset ≈ now + --reset-in; the same prompt without it is fine",
    () =>
      Effect.gen(function* () {
        const mock = yield* startMockAnthropic({ resetInMs: 600_000 })
        const before = nowS()
        const r = yield* messages(mock.url, "[limit]", "tok-main", true)
        expect(r.status).toBe(429)
        const reset = Number(r.headers.get("anthropic-ratelimit-unified-reset"))
        expect(reset).toBeGreaterThanOrEqual(before + 600)
        expect(reset).toBeLessThanOrEqual(nowS() + 600)
        expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(599)
        expect(Number(r.headers.get("retry-after"))).toBeLessThanOrEqual(600)
        expect((yield* messages(mock.url, "limit")).status).toBe(200)
      }),
  )

  it.scoped("[limit=seven_day]: claim seven_day, 7d rejected at 1.0, reset in 3 days", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const r = yield* messages(mock.url, "[limit=seven_day] weekly")
      expect(r.status).toBe(429)
      expect(r.body.error.type).toBe("rate_limit_error")
      const h = (k: string) => r.headers.get(`anthropic-ratelimit-unified-${k}`)
      expect(h("representative-claim")).toBe("seven_day")
      expect(h("reset")).toBe(String(3 * 86400))
      expect([h("7d-status"), h("7d-reset"), h("7d-utilization")]).toEqual(["rejected", "259200", "1.0"])
      expect(h("5h-status")).toBe("allowed")
      expect(h("status")).toBe("rejected")
      expect(r.headers.get("retry-after")).toBe("259200")
      const shorter = yield* startMockAnthropic({ weeklyResetInMs: 60_000 })
      expect((yield* messages(shorter.url, "[limit=seven_day]")).headers.get("retry-after")).toBe("60")
    }),
  )

  it.scoped("[overloaded]: 529 overloaded_error", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const r = yield* messages(mock.url, "[overloaded] please", "tok-main", true)
      expect(r.status).toBe(529)
      expect(r.body).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })
      expect(r.headers.get("anthropic-ratelimit-unified-status")).toBeNull()
    }),
  )

  it.scopedLive("[work=MS] waits before answering; replyMs is the default latency", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const started = Date.now()
      const r = yield* messages(mock.url, "slow [work=150]", "tok-main", true)
      expect(Date.now() - started).toBeGreaterThanOrEqual(145)
      expect(r.status).toBe(200)
      expect(sse(r.text).map((f) => f.event)).toContain("message_stop")
      const slow = yield* startMockAnthropic({ replyMs: 100 })
      const t0 = Date.now()
      yield* messages(slow.url, "hi")
      expect(Date.now() - t0).toBeGreaterThanOrEqual(95)
      const t1 = Date.now()
      yield* messages(slow.url, "quick [work=0]")
      expect(Date.now() - t1).toBeLessThan(90)
    }),
  )

  it.scopedLive("[work=MS] stops when the client goes away: logged 499, no reply", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const controller = new AbortController()
      const pending = fetch(`${mock.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify(claudeBody("long [work=60000]")),
        signal: controller.signal,
      }).then(
        () => "answered",
        () => "aborted",
      )
      yield* pollUntil(mock.stats, (s) => s.messages === 1)
      controller.abort()
      expect(yield* Effect.promise(() => pending)).toBe("aborted")
      const [entry] = yield* pollUntil(mock.requests, (r) => r.length === 1)
      expect(entry).toMatchObject({ status: 499, prompt: "long [work=60000]", reply: null })
      expect((yield* mock.stats).by_status).toEqual({ "499": 1 })
    }),
  )
  it.live("closing the scope with a [work=MS] request outstanding stops the server promptly", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const mock = yield* startMockAnthropic().pipe(Scope.extend(scope))
      const pending = fetch(`${mock.url}/v1/messages`, {
        method: "POST",
        body: JSON.stringify(claudeBody("[work=60000]")),
      }).then(
        () => "answered",
        () => "dropped",
      )
      yield* pollUntil(mock.stats, (s) => s.messages === 1)
      const started = Date.now()
      yield* Scope.close(scope, Exit.void).pipe(Effect.timeout("2 seconds"))
      expect(Date.now() - started).toBeLessThan(1000)
      expect(yield* Effect.promise(() => pending)).toBe("dropped")
    }),
  )
})

describe("mock anthropic: per-token limits", () => {
  it.scoped("limitTokens: only a token containing the substring is limited (bearer or x-api-key)", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic({ limitTokens: ["acct-b"], resetInMs: 3_600_000 })
      const b = yield* messages(mock.url, "hello", "tok-acct-b-123")
      expect(b.status).toBe(429)
      expect(b.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("five_hour")
      expect(b.headers.get("anthropic-ratelimit-unified-reset")).toBe("3600")
      const key = yield* post(`${mock.url}/v1/messages`, claudeBody("hello", false), {
        "x-api-key": "acct-b",
      })
      expect(key.status).toBe(429)
      expect((yield* messages(mock.url, "hello", "tok-acct-a")).status).toBe(200)
      expect((yield* post(`${mock.url}/v1/messages`, claudeBody("hello", false))).status).toBe(200)
      expect((yield* mock.stats).limited_tokens).toEqual([
        { token: "acct-b", claim: "five_hour", reset: 3600 },
      ])
      expect((yield* mock.requests).map((r) => r.trigger)).toEqual([
        "exhausted-token",
        "exhausted-token",
        null,
        null,
      ])
    }),
  )

  it.scoped("POST /_mock/limit turns a token's limit on (claim, reset) and off", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic()
      const limit = (body: unknown) => post(`${mock.url}/_mock/limit`, body)
      expect((yield* messages(mock.url, "one", "tok-main")).status).toBe(200)
      const on = yield* limit({ on: true, token: "main", claim: "seven_day", reset_in_s: 120 })
      expect(on.status).toBe(200)
      expect(on.body).toEqual({ limited_tokens: [{ token: "main", claim: "seven_day", reset: 120 }] })
      const limited = yield* messages(mock.url, "two", "tok-main")
      expect(limited.status).toBe(429)
      expect(limited.headers.get("anthropic-ratelimit-unified-representative-claim")).toBe("seven_day")
      expect(limited.headers.get("anthropic-ratelimit-unified-reset")).toBe("120")
      expect((yield* messages(mock.url, "two", "tok-other")).status).toBe(200)
      expect((yield* limit({ on: false, token: "main" })).body).toEqual({ limited_tokens: [] })
      expect((yield* messages(mock.url, "three", "tok-main")).status).toBe(200)
      // Default claim five_hour and reset; a reset already due lifts the limit at once.
      yield* limit({ on: true, token: "tok" })
      expect((yield* mock.stats).limited_tokens).toEqual([{ token: "tok", claim: "five_hour", reset: 7200 }])
      yield* limit({ on: true, token: "tok", reset_in_s: 0 })
      expect((yield* mock.stats).limited_tokens).toEqual([])
      expect((yield* messages(mock.url, "four", "tok-main")).status).toBe(200)
    }),
  )

  it.scoped("a bad /_mock/limit body is 400 {error} and changes nothing", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic({ limitTokens: ["keep"] })
      const before = (yield* mock.stats).limited_tokens
      for (const body of [
        "{nope",
        {},
        { on: "yes", token: "x" },
        { on: true },
        { on: true, token: "" },
        { on: true, token: "x", claim: "monthly" },
        { on: true, token: "x", reset_in_s: -1 },
        { on: false, token: 7 },
      ]) {
        const r = yield* post(`${mock.url}/_mock/limit`, body)
        expect(r.status).toBe(400)
        expect(Object.keys(r.body)).toEqual(["error"])
        expect(r.body.error).toMatch(/^invalid body: /)
      }
      expect((yield* mock.stats).limited_tokens).toEqual(before)
      expect((yield* messages(mock.url, "hi", "tok-x")).status).toBe(200)
      expect((yield* messages(mock.url, "hi", "keep")).status).toBe(429)
    }),
  )
})

describe("mock anthropic: log and stats", () => {
  it.scopedLive("--log: one JSON line per request (0600), the same records at GET /_mock/requests", () =>
    Effect.gen(function* () {
      const logFile = path.join(tempDir(), "requests.jsonl")
      const mock = yield* startMockAnthropic({ logFile, limitTokens: ["spent"] })
      yield* messages(mock.url, "hello   world", "tok-main", true)
      yield* messages(mock.url, "[limit=seven_day]", "tok-main")
      yield* messages(mock.url, "[overloaded]", "tok-main")
      yield* messages(mock.url, "[limit] x", "tok-spent")
      yield* messages(mock.url, "p".repeat(300), "tok-main")
      yield* call(`${mock.url}/_mock/stats`)
      yield* call(`${mock.url}/api/hello`, { method: "HEAD" })
      yield* post(`${mock.url}/_mock/limit`, { on: false, token: "spent" })
      expect(statSync(logFile).mode & 0o777).toBe(0o600)
      const lines = readFileSync(logFile, "utf8").trimEnd().split("\n")
      const logged: Array<RequestRecord> = lines.map((l) => JSON.parse(l))
      expect(logged).toHaveLength(7)
      for (const r of logged) {
        expect(Object.keys(r).sort()).toEqual(
          [
            "at",
            "method",
            "path",
            "prompt",
            "reply",
            "session_id",
            "status",
            "stream",
            "token",
            "trigger",
          ].sort(),
        )
        expect(new Date(r.at).toISOString()).toBe(r.at)
        expect(Math.abs(Date.parse(r.at) - Date.now())).toBeLessThan(10_000)
      }
      expect(logged[0]).toEqual({
        at: expect.any(String),
        method: "POST",
        path: "/v1/messages",
        status: 200,
        session_id: "dde680dc-7673-4dc9-9f01-a6f571adfe8d",
        token: "tok-main",
        stream: true,
        prompt: "hello   world",
        trigger: null,
        reply: "Done: hello world",
      })
      expect(logged.slice(1, 4).map((r) => [r.status, r.trigger, r.reply, r.stream])).toEqual([
        [429, "limit=seven_day", null, false],
        [529, "overloaded", null, false],
        [429, "exhausted-token", null, false],
      ])
      expect(logged[4]?.prompt).toBe("p".repeat(200))
      expect(logged[5]).toMatchObject({ method: "HEAD", path: "/api/hello", status: 204, session_id: null })
      expect(logged[5]).toMatchObject({ token: null, stream: null, prompt: null, trigger: null, reply: null })
      expect(logged[6]).toMatchObject({ method: "POST", path: "/_mock/limit", status: 200 })
      const over = yield* call(`${mock.url}/_mock/requests`)
      expect(over.status).toBe(200)
      expect(over.body).toEqual(logged)
      expect(yield* mock.requests).toEqual(logged)
    }),
  )

  it.scoped("GET /_mock/stats: requests, messages, answers by status, limited tokens", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic({ limitTokens: ["b"] })
      yield* messages(mock.url, "a", "tok-a", true)
      yield* messages(mock.url, "a", "tok-a")
      yield* messages(mock.url, "[limit]", "tok-a")
      yield* messages(mock.url, "a", "tok-b")
      yield* messages(mock.url, "[overloaded]", "tok-a")
      yield* post(`${mock.url}/v1/messages`, "{")
      yield* post(`${mock.url}/v1/messages/count_tokens`, claudeBody("x"))
      yield* call(`${mock.url}/elsewhere`)
      const stats = yield* call(`${mock.url}/_mock/stats`)
      expect(stats.body).toEqual({
        requests: 9,
        messages: 6,
        by_status: { "200": 4, "400": 1, "429": 2, "529": 1 },
        limited_tokens: [{ token: "b", claim: "five_hour", reset: 7200 }],
      })
      expect((yield* mock.stats).by_status["200"]).toBe(5)
      expect(yield* mock.requests).toHaveLength(8)
    }),
  )

  it.scoped("bad options, an unopenable log and a port in use fail before serving", () =>
    Effect.gen(function* () {
      for (const options of [
        { port: 70000 },
        { resetInMs: -5 },
        { weeklyResetInMs: 1.5 },
        { replyMs: -1 },
        { limitTokens: ["ok", ""] },
        { logFile: "" },
      ]) {
        const error = yield* Effect.flip(Effect.scoped(startMockAnthropic(options)))
        expect(error.reason).toBe("InvalidOptions")
      }
      const log = yield* Effect.flip(
        Effect.scoped(startMockAnthropic({ logFile: "/nonexistent-dir/x.jsonl" })),
      )
      expect(log.reason).toBe("Log")
      const first = yield* startMockAnthropic()
      const listen = yield* Effect.flip(Effect.scoped(startMockAnthropic({ port: first.port })))
      expect(listen.reason).toBe("Listen")
      expect(listen.message).toContain(String(first.port))
    }),
  )
})

describe("ccl mock-anthropic", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it.live("in process: one listening line, repeated --limit-token, --reset-in, stops when interrupted", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      vi.spyOn(console, "log").mockImplementation((...args: Array<unknown>) => {
        lines.push(args.map(String).join(" "))
      })
      const run = Command.run(mockAnthropicCommand, { name: "ccl", version: "0.0.0" })
      const argv = [
        "node",
        "ccl",
        "--limit-token",
        "acct-1",
        "--limit-token",
        "acct-2",
        "--reset-in",
        "60000",
      ]
      const fiber = yield* run(argv).pipe(Effect.provide(NodeContext.layer), Effect.fork)
      yield* pollUntil(
        Effect.sync(() => lines.length),
        (n) => n > 0,
      )
      const base = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(lines[0] ?? "")?.[1] ?? ""
      expect(base).not.toBe("")
      expect((yield* messages(base, "x", "tok-acct-1")).status).toBe(429)
      const second = yield* messages(base, "x", "tok-acct-2")
      expect(second.status).toBe(429)
      expect(second.headers.get("retry-after")).toBe("60")
      expect((yield* messages(base, "x", "tok-acct-3")).body.content[0].text).toBe("Done: x")
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

  it.live("built: `ccl mock-anthropic --port 0` prints the listening line first and serves", () =>
    Effect.gen(function* () {
      expect(readFileSync(CCL, "utf8"), `${CCL} predates mock-anthropic: run "npm run build"`).toContain(
        "mock-anthropic",
      )
      const cwd = tempDir()
      const child = spawn(process.execPath, [CCL, "mock-anthropic", "--port", "0"], {
        cwd,
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          HOME: cwd,
          CCL_CACHE_DIR: path.join(cwd, ".cache"),
        },
        stdio: ["ignore", "pipe", "pipe"],
      })
      const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
      yield* Effect.addFinalizer(() => Effect.sync(() => child.kill("SIGKILL")))
      const first = yield* Effect.promise(
        () =>
          new Promise<string>((resolve, reject) => {
            let out = ""
            child.stdout.on("data", (d) => {
              out += d
              if (out.includes("\n")) resolve(out.split("\n")[0] ?? "")
            })
            child.on("close", () => reject(new Error(`exited before listening: ${out}`)))
          }),
      ).pipe(Effect.timeout("20 seconds"))
      const base = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(first)?.[1] ?? ""
      expect(base).not.toBe("")
      expect((yield* messages(base, "hello world")).body.content).toEqual([
        { type: "text", text: "Done: hello world" },
      ])
      child.kill("SIGTERM")
      expect(yield* Effect.promise(() => exited)).toBe(0)
    }).pipe(Effect.scoped),
  )

  it.live("built: --reset-in -5 is bad usage: exit 2, one line", () =>
    Effect.gen(function* () {
      const r = yield* Effect.promise(() =>
        runCclAsync(["mock-anthropic", "--reset-in", "-5"], { cwd: tempDir() }),
      )
      expect(r.code).toBe(2)
      expect(r.stdout).toBe("")
      expect(r.stderr).toBe("ccl: --reset-in must be 0 or more, got -5\n")
    }),
  )
})
