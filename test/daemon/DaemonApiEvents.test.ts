// GET /api/events: the SSE stream of DaemonEvents. The stream on its own (a fake DaemonEvents, TestClock), then
// over real HTTP on the memory services (DaemonEventsLive, the memory queue) with a fetch-streaming client.

import { request as httpRequest } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Context, Effect, Fiber, Layer, Queue, Redacted, Stream, TestClock } from "effect"
import type { DaemonEvent, EventEnvelope } from "../../src/domain/DaemonEvent.js"
import { readSse, type SseMessage, sseReaderStart } from "../../src/domain/ServerSentEvents.js"
import { SessionTable } from "../../src/domain/SessionTable.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { serveDaemonApi } from "../../src/programs/daemon/DaemonApi.js"
import { daemonEventsSse } from "../../src/programs/daemon/DaemonEventsSse.js"
import { DaemonEvents, DaemonEventsLive, EVENT_RING } from "../../src/services/DaemonEvents.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { testConfig } from "../support/settings.js"
import { openEvents } from "../support/sseClient.js"
import { tempDir } from "../support/tempDir.js"

const TOKEN = "tok-events-test"
const auth = { authorization: `Bearer ${TOKEN}` }

const task = (id: string, state: "active" | "done"): DaemonEvent => ({ type: "task", id, state })
const envelope = (id: number): EventEnvelope => ({
  id,
  at: new Date(1_700_000_000_000 + id).toISOString(),
  event: task(`t${id}`, "active"),
})

/** The messages in a stream's text. */
const messagesOf = (text: string): ReadonlyArray<SseMessage> => readSse(sseReaderStart, text)[1]
const ids = (ms: ReadonlyArray<SseMessage>) => ms.map((m) => (m.event === "reset" ? "reset" : Number(m.id)))

/** A DaemonEvents whose ring and live queue the test sets, recording the order subscribe/since are called in. */
const fakeEvents = (kept: ReadonlyArray<EventEnvelope>, live: ReadonlyArray<EventEnvelope>) => {
  const calls: Array<string> = []
  const events = DaemonEvents.of({
    publish: () => Effect.void,
    emit: () => {},
    subscribe: Effect.gen(function* () {
      calls.push("subscribe")
      const q = yield* Queue.unbounded<EventEnvelope>()
      yield* Queue.offerAll(q, live)
      return q
    }),
    since: () => {
      calls.push("since")
      return { events: kept, complete: true }
    },
  })
  return { calls, events }
}

const firstTexts = (stream: Stream.Stream<string>, n: number) =>
  Effect.map(Stream.runCollect(Stream.take(stream, n)), (c) => Chunk.toReadonlyArray(c).join(""))

describe("the events stream (daemonEventsSse)", () => {
  it.effect("retry first; no Last-Event-ID: nothing replayed, live events after the ring's last id", () =>
    Effect.gen(function* () {
      const { calls, events } = fakeEvents([1, 2, 3].map(envelope), [3, 4].map(envelope))
      const text = yield* firstTexts(daemonEventsSse(events, undefined), 2)
      expect(text.startsWith("retry: 2000\n\n")).toBe(true)
      expect(ids(messagesOf(text))).toEqual([4])
      expect(calls).toEqual(["subscribe", "since"])
    }),
  )

  it.effect("the seam: an event both kept and live is sent once, none between them is lost", () =>
    Effect.gen(function* () {
      // 4 and 5 were stamped after the subscription and before the ring was read: in both.
      const { events } = fakeEvents([1, 2, 3, 4, 5].map(envelope), [4, 5, 6].map(envelope))
      const text = yield* firstTexts(daemonEventsSse(events, 2), 5)
      const ms = messagesOf(text)
      expect(ids(ms)).toEqual([3, 4, 5, 6])
      expect(ms[0]).toEqual({
        id: "3",
        event: "task",
        data: JSON.stringify({ ...task("t3", "active"), at: envelope(3).at }),
      })
    }),
  )

  it.effect("a hole in the live ids (this client's backlog overflowed): a reset before the next event", () =>
    Effect.gen(function* () {
      const { events } = fakeEvents([1, 2].map(envelope), [3, 9].map(envelope))
      const text = yield* firstTexts(daemonEventsSse(events, undefined), 4)
      const ms = messagesOf(text)
      expect(ids(ms)).toEqual([3, "reset", 9])
      // No id: a client's Last-Event-ID stays on the last real event.
      expect(text.split("\n\n").find((block) => block.includes("event: reset"))).toMatch(
        /^event: reset\ndata: /,
      )
      expect(JSON.parse(ms[1]!.data)).toMatchObject({
        type: "reset",
        reason: expect.stringContaining("fell behind"),
      })
    }),
  )

  it.effect("a keep-alive comment every 15 s while nothing happens", () =>
    Effect.gen(function* () {
      const { events } = fakeEvents([], [])
      const fiber = yield* Effect.fork(firstTexts(daemonEventsSse(events, undefined), 2))
      yield* TestClock.adjust("15 seconds")
      expect(yield* Fiber.join(fiber)).toBe("retry: 2000\n\n: keep-alive\n\n")
    }),
  )
})

/** DaemonEventsLive, its subscriptions counted: how many are open now. */
const countedEvents = Effect.gen(function* () {
  const live = Context.get(yield* Layer.build(DaemonEventsLive), DaemonEvents)
  const subscribers = { open: 0, opened: 0 }
  const events = DaemonEvents.of({
    ...live,
    subscribe: Effect.zipRight(
      Effect.acquireRelease(
        Effect.sync(() => {
          subscribers.open++
          subscribers.opened++
        }),
        () => Effect.sync(() => void subscribers.open--),
      ),
      live.subscribe,
    ),
  })
  return { events, subscribers }
})

/** Polls `check` every 20 ms (5 s at most). */
const until = (what: string, check: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250 && !check(); i++) yield* Effect.sleep("20 millis")
    if (!check()) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
  })

/** serveDaemonApi with a token on a random port, on DaemonEventsLive (counted) and the memory queue. */
const serve = Effect.gen(function* () {
  const root = tempDir()
  const { events, subscribers } = yield* countedEvents
  const dispatcher = {
    table: new SessionTable(),
    counters: { dispatched: 0, completed: 0, released: 0, failed: 0 },
    account: () => undefined,
    onHook: () => Effect.void,
  }
  const settings = testConfig(root, { api: { host: "127.0.0.1", port: 0, token: Redacted.make(TOKEN) } })
  const queue = Layer.effect(TaskQueue, makeTaskQueueMemory([]))
  const port = yield* serveDaemonApi(dispatcher, Date.now()).pipe(
    Effect.provide(Layer.mergeAll(settings, queue)),
    Effect.provideService(DaemonEvents, events),
  )
  const url = `http://127.0.0.1:${port}/api/events`
  /** Publishes and waits until they are stamped (kept), so that a client connecting next can replay them. */
  const publish = (...list: ReadonlyArray<DaemonEvent>) =>
    Effect.gen(function* () {
      const before = events.since(undefined).events.at(-1)?.id ?? 0
      for (const e of list) yield* events.publish(e)
      yield* until(
        "events stamped",
        () => (events.since(undefined).events.at(-1)?.id ?? 0) >= before + list.length,
      )
    })
  const open = (headers: Record<string, string> = {}, query = "") =>
    Effect.acquireRelease(
      Effect.promise(() => openEvents(`${url}${query}`, { ...auth, ...headers })),
      (c) => Effect.sync(() => c.close()),
    )
  return { port, url, events, subscribers, publish, open }
})

describe("GET /api/events over HTTP", () => {
  it.scopedLive("events arrive in order, each as id, event (its type) and data (the event plus at)", () =>
    Effect.gen(function* () {
      const { publish, open } = yield* serve
      const c = yield* open()
      expect(c.status).toBe(200)
      expect(c.contentType).toBe("text/event-stream")
      const sent: ReadonlyArray<DaemonEvent> = [
        task("a", "active"),
        { type: "session", name: "ccl-pool-1", phase: "working", state: "busy", task: "a" },
        { type: "failover", kind: "limit_hit", account: "main", reason: "usage limit" },
        { type: "quota", account: "main", window: "five_hour", used_percentage: 42 },
        { type: "hook", event: "Stop", session: "ccl-pool-1" },
        task("a", "done"),
      ]
      yield* publish(...sent)
      const ms = yield* Effect.promise(() => c.take(sent.length))
      expect(ms.map((m) => m.event)).toEqual(sent.map((e) => e.type))
      expect(ms.map((m) => Number(m.id))).toEqual([1, 2, 3, 4, 5, 6])
      ms.forEach((m, i) => {
        const { at, ...event } = JSON.parse(m.data)
        expect(event).toEqual(sent[i])
        expect(new Date(at).toISOString()).toBe(at)
      })
      expect(c.text().startsWith("retry: 2000\n\n")).toBe(true)
    }),
  )

  it.scopedLive(
    "Last-Event-ID resumes right after that id, then live ones, no duplicate; ?since=0 gets every kept one",
    () =>
      Effect.gen(function* () {
        const { publish, open } = yield* serve
        yield* publish(...[1, 2, 3, 4, 5].map((n) => task(`t${n}`, "active")))
        const c = yield* open({ "last-event-id": "3" })
        expect(ids(yield* Effect.promise(() => c.take(2)))).toEqual([4, 5])
        yield* publish(task("t6", "done"))
        expect(ids(yield* Effect.promise(() => c.take(1)))).toEqual([6])
        expect(c.pending()).toEqual([])
        const all = yield* open({}, "?since=0")
        expect(ids(yield* Effect.promise(() => all.take(6)))).toEqual([1, 2, 3, 4, 5, 6])
        // The header wins over the query (a browser reconnecting to a ?since= URL sends its latest id).
        const both = yield* open({ "last-event-id": "5" }, "?since=0")
        expect(ids(yield* Effect.promise(() => both.take(1)))).toEqual([6])
      }),
  )

  it.scopedLive(
    "an id older than the ring: reset first, then the kept events; an id this run never gave too",
    () =>
      Effect.gen(function* () {
        const { publish, open } = yield* serve
        const extra = 5
        yield* publish(...Array.from({ length: EVENT_RING + extra }, (_, i) => task(`t${i + 1}`, "active")))
        const c = yield* open({ "last-event-id": "2" })
        const ms = yield* Effect.promise(() => c.take(1 + EVENT_RING))
        expect(ms[0]!.event).toBe("reset")
        expect(ms[0]!.id).toBeUndefined()
        expect(JSON.parse(ms[0]!.data).reason).toContain("re-read /api/status")
        expect(ids(ms.slice(1))).toEqual(Array.from({ length: EVENT_RING }, (_, i) => extra + 1 + i))
        // The events right after the id are still kept: no reset.
        const ok = yield* open({ "last-event-id": `${extra}` })
        expect((yield* Effect.promise(() => ok.take(1)))[0]!.id).toBe(`${extra + 1}`)
        // A client of an earlier run of the daemon (ids start again at 1).
        const later = yield* open({ "last-event-id": `${EVENT_RING * 10}` })
        const [first, second] = yield* Effect.promise(() => later.take(2))
        expect([first!.event, second!.id]).toEqual(["reset", `${extra + 1}`])
      }),
  )

  it.scopedLive("a client that goes away releases its subscription (50 connect/disconnect cycles)", () =>
    Effect.gen(function* () {
      const { url, subscribers, publish, open } = yield* serve
      for (let i = 0; i < 50; i++) {
        const c = yield* Effect.promise(() => openEvents(url, auth))
        expect(subscribers.open).toBe(1)
        if (i % 2 === 1) yield* publish(task(`t${i}`, "active")) // some go away with events in flight
        c.close()
        yield* until(`subscription ${i + 1} released`, () => subscribers.open === 0)
      }
      expect(subscribers.opened).toBe(50)
      // The stream still works for the next client.
      const c = yield* open()
      yield* publish(task("after", "done"))
      expect(JSON.parse((yield* Effect.promise(() => c.take(1)))[0]!.data).id).toBe("after")
    }),
  )

  it.scopedLive("same rules as the rest of the API: token (401), Host (403); a bad id is 400", () =>
    Effect.gen(function* () {
      const { url, port, subscribers } = yield* serve
      const noToken = yield* Effect.promise(() => openEvents(url, {}))
      expect([noToken.status, JSON.parse(noToken.text())]).toEqual([
        401,
        { error: "missing or wrong bearer token (CCL_API_TOKEN)" },
      ])
      expect((yield* Effect.promise(() => openEvents(url, { authorization: "Bearer nope" }))).status).toBe(
        401,
      )
      expect(yield* withHost(port, "evil.example:80")).toBe(403)
      const bad = yield* Effect.promise(() => openEvents(url, { ...auth, "last-event-id": "x1" }))
      expect([bad.status, JSON.parse(bad.text())]).toEqual([
        400,
        { error: 'Last-Event-ID must be an event id (a whole number), got "x1"' },
      ])
      expect(subscribers.opened).toBe(0)
    }),
  )
})

/** GET /api/events with a chosen Host (fetch will not send a foreign one): the status code. */
const withHost = (port: number, host: string) =>
  Effect.async<number>((resume) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/events", headers: { host, ...auth } },
      (res) => {
        res.resume()
        resume(Effect.succeed(res.statusCode ?? 0))
      },
    )
    req.on("error", (e) => resume(Effect.die(e)))
    req.end()
  })
