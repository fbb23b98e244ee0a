// GET /api/events against a real daemon (real tmux on a private socket, simulated agents, the built CLI): a task
// added with `ccl queue add` shows as events in order with rising ids, a reconnect with Last-Event-ID gets only
// the later ones, and the stream keeps the API's Host and token rules.

import { request as httpRequest } from "node:http"
import { describe, expect, it } from "vitest"
import type { SseMessage } from "../../src/domain/ServerSentEvents.js"
import { daemonProject } from "../support/daemonProject.js"
import { openEvents } from "../support/sseClient.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "tok-events-e2e"
const auth = { authorization: `Bearer ${TOKEN}` }

// biome-ignore lint/suspicious/noExplicitAny: event bodies are checked field by field
const body = (m: SseMessage): any => JSON.parse(m.data)
const isTask = (id: string, state: string) => (m: SseMessage) =>
  m.event === "task" && body(m).id === id && body(m).state === state

/** GET /api/events with a chosen Host (fetch will not send a foreign one): the status code. */
const statusWithHost = (port: number, host: string) =>
  new Promise<number | undefined>((resolve) => {
    const req = httpRequest(
      { host: "127.0.0.1", port, path: "/api/events", headers: { host, ...auth } },
      (res) => {
        res.resume()
        resolve(res.statusCode)
        req.destroy()
      },
    )
    req.on("error", () => resolve(undefined))
    req.end()
  })

describe("GET /api/events from a real daemon", () => {
  it("a task's events in order with rising ids; Last-Event-ID resumes after them; Host and token rules", async () => {
    const p = await daemonProject({ poolSize: 1, workMs: 300, token: TOKEN })
    p.start()
    await p.answering()
    const url = `http://127.0.0.1:${p.port}/api/events`

    const c = await openEvents(url, auth)
    expect([c.status, c.contentType]).toEqual([200, "text/event-stream"])
    expect((await p.ccl(["queue", "add", "--id", "one", "--text", "Do one"])).code).toBe(0)
    const first = await c.takeUntil(isTask("one", "done"), 60_000)
    c.close()
    const ids = first.map((m) => Number(m.id))
    // Rising by one: nothing skipped, nothing twice.
    expect(ids).toEqual(ids.map((_, i) => ids[0]! + i))
    const active = first.findIndex(isTask("one", "active"))
    expect(active).toBeGreaterThanOrEqual(0)
    expect(body(first[active]!)).toMatchObject({ session: "ccl-pool-1", account: "main", attempt: 1 })
    expect(body(first.at(-1)!)).toMatchObject({
      route: "local",
      provider: "claude-code",
      session: "ccl-pool-1",
    })
    expect(new Date(body(first.at(-1)!).at).toISOString()).toBe(body(first.at(-1)!).at)
    // The session took the task and showed it: session events with the task, before it was filed.
    expect(
      first.some((m) => m.event === "session" && body(m).name === "ccl-pool-1" && body(m).task === "one"),
    ).toBe(true)

    // While nobody listens, a second task runs; a reconnect from the last id gets exactly what came after.
    expect((await p.ccl(["queue", "add", "--id", "two", "--text", "Do two"])).code).toBe(0)
    await eventually(() => (p.ls("done").includes("two.md") ? true : undefined), 60_000, p.log)
    const lastId = first.at(-1)!.id!
    const again = await openEvents(url, { ...auth, "last-event-id": lastId })
    const later = await again.takeUntil(isTask("two", "done"), 15_000)
    again.close()
    expect(later.some((m) => m.event === "reset")).toBe(false)
    expect(Number(later[0]!.id)).toBe(Number(lastId) + 1)
    expect(later.some(isTask("one", "done"))).toBe(false)
    expect(later.findIndex(isTask("two", "active"))).toBeGreaterThanOrEqual(0)
    expect(later.findIndex(isTask("two", "active"))).toBeLessThan(later.length - 1)

    expect((await openEvents(url, { authorization: "Bearer wrong" })).status).toBe(401)
    expect((await openEvents(url, {})).status).toBe(401)
    expect(await statusWithHost(p.port, "evil.example")).toBe(403)
    await p.stop()
  }, 120_000)
})
