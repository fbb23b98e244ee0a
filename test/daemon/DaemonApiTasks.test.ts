// The dashboard's endpoints in-process, over real HTTP: the queue view, one task, add, retry, a screen, and the
// rules of the page itself (served without the token, strict CSP, no cross-origin change).

import { request as httpRequest } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { SessionTable } from "../../src/domain/SessionTable.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { type ApiDispatcher, serveDaemonApi } from "../../src/programs/daemon/DaemonApi.js"
import { freshRecord } from "../../src/programs/daemon/SessionAdoption.js"
import { DaemonEventsLive } from "../../src/services/DaemonEvents.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { testConfig } from "../support/settings.js"
import { tempDir } from "../support/tempDir.js"

const TOKEN = "tok-tasks-test"
const SCREEN = '\x1b[1m❯\x1b[0m <script>window.__pwned=1</script>\n"><img src=x onerror=alert(1)>\x07\n\n\n'

/** A daemon API with a queue in every state and one session working on `run-me`. */
const serve = (token?: string) =>
  Effect.gen(function* () {
    const root = tempDir()
    const q = yield* makeTaskQueueMemory([
      { id: "low", text: "---\npriority: 1\n---\nLow one\n", at: 1 },
      { id: "high", text: "---\npriority: 9\n---\nHigh one\nsecond line\n", at: 2 },
      { id: "blocked", text: "---\ndepends_on: [high]\n---\nAfter high\n", at: 3 },
      { id: "run-me", text: "Running now\n", at: 4 },
      { id: "gone-bad", text: "Will fail\n", at: 5 },
      { id: "went-well", text: "Will pass\n", at: 6 },
    ])
    yield* q.claim("run-me")
    yield* q.claim("gone-bad")
    yield* q.fail("gone-bad", {
      status: "failed",
      route: "local",
      provider: "claude-code",
      finished_at: "2026-01-01T00:00:00.000Z",
      cause: "agent_error",
      error: "the agent said <b>no</b>",
    })
    yield* q.complete("went-well", {
      status: "completed",
      route: "delegated",
      fallback: "accounts exhausted",
      provider: "gemini",
      cost_usd: 0.02,
      finished_at: "2026-01-01T00:01:00.000Z",
    })
    const table = new SessionTable()
    const now = Date.now()
    table.upsert(
      freshRecord(
        {
          name: "ccl-pool-1",
          kind: "pool",
          cwd: root,
          account: "main",
          phase: "working",
          state: "busy",
          decidedBy: "screen",
          task: {
            id: "run-me",
            attempt: 2,
            dispatch: "run-me#2",
            startedAt: now - 5_000,
            sentAt: now - 5_000,
            deadlineAt: now + 60_000,
            sawBusy: true,
            doneLinesBefore: 0,
          },
        },
        now,
      ),
    )
    const dispatcher: ApiDispatcher = {
      table,
      counters: { dispatched: 0, completed: 0, released: 0, failed: 0 },
      account: () => undefined,
      onHook: () => Effect.void,
      capture: (name) => Effect.succeed(name === "ccl-pool-1" ? SCREEN : undefined),
    }
    const settings = testConfig(root, {
      api: {
        host: "127.0.0.1",
        port: 0,
        token: token === undefined ? undefined : Redacted.make(token),
        metricsToken: false,
      },
    })
    const port = yield* serveDaemonApi(dispatcher, now).pipe(
      Effect.provide(Layer.mergeAll(settings, Layer.succeed(TaskQueue, q), DaemonEventsLive)),
    )
    return { url: `http://127.0.0.1:${port}`, port, queue: q }
  })

const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const r = await fetch(url, init)
    const text = await r.text()
    // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field
    let body: any = text
    try {
      body = JSON.parse(text)
    } catch {}
    return { status: r.status, headers: r.headers, body }
  })

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  })

/** A POST naming the Host and Origin a browser would: fetch will not send another Host, node:http does. */
const postAs = (port: number, path: string, body: unknown, headers: Record<string, string>) =>
  Effect.async<number>((resume) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        path,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        res.resume()
        res.on("end", () => resume(Effect.succeed(res.statusCode ?? 0)))
      },
    )
    req.on("error", (e) => resume(Effect.die(e)))
    req.end(JSON.stringify(body))
  })

describe("GET /api/queue", () => {
  it.scoped("pending in dispatch order with waits, active with its session, recent newest first", () =>
    Effect.gen(function* () {
      const { url } = yield* serve()
      const { status, body } = yield* call(`${url}/api/queue`)
      expect(status).toBe(200)
      expect(body.counts).toEqual({ pending: 3, active: 1, done: 1, failed: 1, delegated: 0 })
      expect(body.pending.map((t: { id: string }) => t.id)).toEqual(["high", "low", "blocked"])
      expect(body.pending[0]).toMatchObject({ priority: 9, waiting: null, title: "High one" })
      expect(body.pending[2].waiting).toMatch(/^blocked: waits for high/)
      expect(body.active).toEqual([
        expect.objectContaining({ id: "run-me", session: "ccl-pool-1", attempt: 2, title: "Running now" }),
      ])
      expect(body.recent.map((t: { id: string }) => t.id)).toEqual(
        expect.arrayContaining(["went-well", "gone-bad"]),
      )
      const bad = body.recent.find((t: { id: string }) => t.id === "gone-bad")
      expect(bad).toMatchObject({ state: "failed", cause: "agent_error", error: "the agent said <b>no</b>" })
      const good = body.recent.find((t: { id: string }) => t.id === "went-well")
      expect(good).toMatchObject({
        state: "done",
        route: "delegated (fallback: accounts exhausted)",
        provider: "gemini",
        cost: 0.02,
        title: "Will pass",
      })
      const one = yield* call(`${url}/api/queue?recent=1`)
      expect(one.body.recent).toHaveLength(1)
      expect((yield* call(`${url}/api/queue?recent=lots`)).status).toBe(400)
    }),
  )
})

describe("GET /api/tasks/{id}", () => {
  it.scoped("the text as written and the last run's footer apart; 404 for an unknown id", () =>
    Effect.gen(function* () {
      const { url } = yield* serve()
      const { status, body } = yield* call(`${url}/api/tasks/gone-bad`)
      expect(status).toBe(200)
      expect(body).toMatchObject({ id: "gone-bad", state: "failed", text: "Will fail\n" })
      expect(body.result).toMatchObject({ status: "failed", cause: "agent_error" })
      expect((yield* call(`${url}/api/tasks/nope`)).status).toBe(404)
    }),
  )
})

describe("POST /api/tasks", () => {
  it.scoped(
    "adds a task with its fields in the frontmatter; refuses a taken id, a bad field, an unknown key",
    () =>
      Effect.gen(function* () {
        const { url, queue } = yield* serve()
        const added = yield* post(`${url}/api/tasks`, {
          id: "from-page",
          text: "Write the report",
          priority: 7,
          depends_on: ["high"],
          retry_backoff: "45s",
          needs_claude_code: true,
        })
        expect(added.status).toBe(201)
        expect(added.body).toMatchObject({ id: "from-page", state: "pending" })
        const stored = Option.getOrThrow(yield* queue.get("from-page"))
        expect(stored.text).toContain("priority: 7")
        expect(stored.text).toMatch(/depends_on:\s*\n\s*- high/)
        expect(stored.text).toContain("retry_backoff: 45s")
        expect(stored.text).toContain("needs_claude_code: true")
        expect(stored.text).toContain("Write the report\n")

        const before = yield* queue.counts
        const refused = [
          yield* post(`${url}/api/tasks`, { id: "from-page", text: "again" }),
          yield* post(`${url}/api/tasks`, { id: "no spaces", text: "x" }),
          yield* post(`${url}/api/tasks`, { id: "bad-backoff", text: "x", retry_backoff: "soon" }),
          yield* post(`${url}/api/tasks`, { id: "typo", text: "x", prioritty: 3 }),
          yield* post(`${url}/api/tasks`, { id: "blank", text: "  \n" }),
        ]
        expect(refused.map((r) => r.status)).toEqual([409, 400, 400, 400, 400])
        expect(refused[2]!.body.error).toContain("retry_backoff")
        expect(yield* queue.counts).toEqual(before)
        const generated = yield* post(`${url}/api/tasks`, { text: "No id given" })
        expect(generated.body.id).toMatch(/^task-\d{8}-\d{6}-/)
      }),
  )
})

describe("POST /api/tasks/{id}/retry", () => {
  it.scoped("failed -> pending with history; 409 for a done task, 404 for an unknown one", () =>
    Effect.gen(function* () {
      const { url, queue } = yield* serve()
      const retried = yield* post(`${url}/api/tasks/gone-bad/retry`, {})
      expect(retried.status).toBe(200)
      expect(Option.getOrThrow(yield* queue.locate("gone-bad"))).toBe("pending")
      expect((yield* post(`${url}/api/tasks/went-well/retry`, {})).status).toBe(409)
      expect(Option.getOrThrow(yield* queue.locate("went-well"))).toBe("done")
      expect((yield* post(`${url}/api/tasks/nope/retry`, {})).status).toBe(404)
    }),
  )
})

describe("GET /api/sessions/{name}/screen", () => {
  it.scoped("the pane as plain text: ANSI and control bytes gone, markup kept as characters", () =>
    Effect.gen(function* () {
      const { url } = yield* serve()
      const { status, body } = yield* call(`${url}/api/sessions/ccl-pool-1/screen`)
      expect(status).toBe(200)
      expect(body.screen).toBe('❯ <script>window.__pwned=1</script>\n"><img src=x onerror=alert(1)>')
      expect((yield* call(`${url}/api/sessions/ccl-pool-9/screen`)).status).toBe(404)
    }),
  )
})

describe("the dashboard's page", () => {
  it.scoped("served without the token under a strict CSP; the data behind it still needs the token", () =>
    Effect.gen(function* () {
      const { url } = yield* serve(TOKEN)
      const page = yield* call(`${url}/`)
      expect(page.status).toBe(200)
      expect(page.headers.get("content-type")).toMatch(/^text\/html/)
      expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
      expect(page.body).toContain("/app.js")
      expect((yield* call(`${url}/app.js`)).status).toBe(200)
      expect((yield* call(`${url}/api/queue`)).status).toBe(401)
      const auth = { authorization: `Bearer ${TOKEN}` }
      expect((yield* call(`${url}/api/queue`, { headers: auth })).status).toBe(200)
    }),
  )

  it.scoped("a change from another site's page is refused (403) and changes nothing", () =>
    Effect.gen(function* () {
      const { url, port, queue } = yield* serve(TOKEN)
      const auth = { authorization: `Bearer ${TOKEN}` }
      const foreign = yield* post(
        `${url}/api/tasks`,
        { id: "csrf", text: "x" },
        {
          ...auth,
          origin: "http://evil.example",
        },
      )
      expect(foreign.status).toBe(403)
      const crossSite = yield* post(
        `${url}/api/tasks`,
        { id: "csrf", text: "x" },
        {
          ...auth,
          "sec-fetch-site": "cross-site",
        },
      )
      expect(crossSite.status).toBe(403)
      expect(Option.isNone(yield* queue.locate("csrf"))).toBe(true)
      const own = yield* post(
        `${url}/api/tasks`,
        { id: "own", text: "x" },
        {
          ...auth,
          origin: `http://127.0.0.1:${port}`,
          "sec-fetch-site": "same-origin",
        },
      )
      expect(own.status).toBe(201)
    }),
  )

  it.scoped(
    "through a tunnel from another local port the page's own POST passes; another local server's page is refused",
    () =>
      Effect.gen(function* () {
        const { port, queue } = yield* serve(TOKEN)
        const auth = { authorization: `Bearer ${TOKEN}` }
        // `ssh -L 8080:127.0.0.1:<port>`: the page was loaded from 127.0.0.1:8080 and posts there.
        const tunnelled = {
          ...auth,
          host: "127.0.0.1:8080",
          origin: "http://127.0.0.1:8080",
          "sec-fetch-site": "same-origin",
        }
        expect(yield* postAs(port, "/api/tasks", { id: "via-tunnel", text: "x" }, tunnelled)).toBe(201)
        // A page of another server on this machine (port 3000) posting here: same host, another origin.
        const neighbour = { ...auth, host: `127.0.0.1:${port}`, origin: "http://127.0.0.1:3000" }
        expect(yield* postAs(port, "/api/tasks", { id: "neighbour", text: "x" }, neighbour)).toBe(403)
        const mismatch = { ...auth, host: "127.0.0.1:8080", origin: `http://127.0.0.1:${port}` }
        expect(yield* postAs(port, "/api/tasks", { id: "mismatch", text: "x" }, mismatch)).toBe(403)
        expect(Option.isSome(yield* queue.locate("via-tunnel"))).toBe(true)
        expect(Option.isNone(yield* queue.locate("neighbour"))).toBe(true)
        expect(Option.isNone(yield* queue.locate("mismatch"))).toBe(true)
      }),
  )
})
