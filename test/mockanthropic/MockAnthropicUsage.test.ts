// `POST /_mock/usage` of the mock Anthropic API: a token with a usage set gets the unified rate-limit headers (an
// account still allowed, at its utilizations) on every answer, streamed or not; other tokens get none; a bad body
// is 400 and changes nothing.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startMockAnthropic } from "../../src/programs/MockAnthropic.js"

const ask = (url: string, token: string, stream: boolean) =>
  Effect.promise(async () => {
    const r = await fetch(`${url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "hello" }] }),
    })
    await r.text()
    return r
  })

const setUsage = (url: string, body: unknown) =>
  Effect.promise(() => fetch(`${url}/_mock/usage`, { method: "POST", body: JSON.stringify(body) }))

describe("mock-anthropic usage", () => {
  it.scopedLive("sends the set utilization and resets as unified headers to that token only", () =>
    Effect.gen(function* () {
      const mock = yield* startMockAnthropic({ resetInMs: 3600_000 })
      const before = Math.floor(Date.now() / 1000)
      const set = yield* setUsage(mock.url, { token: "main", five_hour: 0.42, seven_day: 0.1 })
      expect(set.status).toBe(200)
      for (const stream of [false, true]) {
        const r = yield* ask(mock.url, "tok-home-main", stream)
        expect(r.status).toBe(200)
        expect(r.headers.get("anthropic-ratelimit-unified-status")).toBe("allowed")
        expect(r.headers.get("anthropic-ratelimit-unified-5h-utilization")).toBe("0.42")
        expect(r.headers.get("anthropic-ratelimit-unified-7d-utilization")).toBe("0.1")
        const reset = Number(r.headers.get("anthropic-ratelimit-unified-5h-reset"))
        expect(reset).toBeGreaterThanOrEqual(before + 3600)
        expect(reset).toBeLessThanOrEqual(before + 3602)
      }
      const other = yield* ask(mock.url, "tok-home-backup", false)
      expect(other.headers.get("anthropic-ratelimit-unified-5h-utilization")).toBeNull()
      // One window set again: the other keeps its value.
      yield* setUsage(mock.url, { token: "main", five_hour: 0.9 })
      const again = yield* ask(mock.url, "tok-home-main", false)
      expect(again.headers.get("anthropic-ratelimit-unified-5h-utilization")).toBe("0.9")
      expect(again.headers.get("anthropic-ratelimit-unified-7d-utilization")).toBe("0.1")
      const bad = yield* setUsage(mock.url, { token: "main", five_hour: 2 })
      expect(bad.status).toBe(400)
      expect(
        (yield* ask(mock.url, "tok-home-main", false)).headers.get(
          "anthropic-ratelimit-unified-5h-utilization",
        ),
      ).toBe("0.9")
    }),
  )
})
