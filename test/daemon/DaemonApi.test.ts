// The daemon's HTTP API in-process, over real HTTP: a fake dispatcher, the in-memory queue.

import { mkdirSync, writeFileSync } from "node:fs"
import { request as httpRequest } from "node:http"
import * as path from "node:path"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApiClient from "@effect/platform/HttpApiClient"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import { SessionTable } from "../../src/domain/SessionTable.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import {
  type ApiDispatcher,
  type FailoverHandler,
  serveDaemonApi,
} from "../../src/programs/daemon/DaemonApi.js"
import {
  DaemonStatus,
  DelegationView,
  FailoverView,
  SessionView,
  TaskSummary,
  WatchdogStatus,
} from "../../src/programs/daemon/DaemonApiSchemas.js"
import { DaemonApi } from "../../src/programs/daemon/DaemonApiSpec.js"
import { AccountQuotas } from "../../src/services/AccountQuotas.js"
import { DaemonEventsLive } from "../../src/services/DaemonEvents.js"
import { Delegation } from "../../src/services/Delegation.js"
import { QueueIOError, TaskQueue } from "../../src/services/TaskQueue.js"
import { runCclAsync } from "../support/cli.js"
import { parseExposition } from "../support/prometheus.js"
import { testConfig } from "../support/settings.js"
import { tempDir } from "../support/tempDir.js"

const TOKEN = "tok-api-test"
const TASK = "---\npriority: 5\n---\nDo the thing\n"

interface Reply {
  readonly status: number
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are checked field by field
  readonly body: any
}

const call = (url: string, init?: RequestInit): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const r = await fetch(url, init)
    const text = await r.text()
    return { status: r.status, body: text === "" ? undefined : JSON.parse(text) }
  })

/** fetch will not send a foreign Host header: node:http does, as a DNS-rebinding page's request would look. */
const withHost = (port: number, host: string) =>
  Effect.async<Reply>((resume) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/api/status", headers: { host } }, (res) => {
      let text = ""
      res.on("data", (d) => (text += d))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode ?? 0, body: JSON.parse(text) })))
    })
    req.on("error", (e) => resume(Effect.die(e)))
    req.end()
  })

const hook = (over: Partial<Record<keyof HookRecord, unknown>> = {}): HookRecord => ({
  event: "Stop",
  ccl_session: "ccl-pool-1",
  received_at: new Date().toISOString(),
  payload: { session_id: "abc" },
  ...(over as Partial<HookRecord>),
})

const fakeDelegation = Layer.succeed(
  Delegation,
  Delegation.of({
    submit: () => Effect.die("unused"),
    reapOnce: Effect.die("unused"),
    runReaper: Effect.never,
    status: Effect.succeed({
      counters: { submitted: 2, completed: 1, failed: 0, active: 1, retries: 0, submit_errors: 0 },
      active: [{ task_id: "t2", job_id: "j2", provider: "gpu", submitted_at: "2025-01-01T00:00:00.000Z" }],
    }),
  }),
)

const fakeQuotas = Layer.succeed(
  AccountQuotas,
  AccountQuotas.of({
    report: () => Effect.void,
    forget: () => Effect.void,
    get: () => undefined,
    all: () => [
      {
        account: "main",
        five_hour: { used_percentage: 96, resets_at: null },
        seven_day: null,
        seen_at: "2025-01-01T00:00:00.000Z",
        session: "ccl-pool-1",
      },
    ],
  }),
)

/** serveDaemonApi on a random port with a fake dispatcher holding one working and one dead session. */
const serve = (
  options: {
    token?: string
    metricsToken?: boolean
    failover?: FailoverHandler
    delegation?: boolean
    brokenQueue?: boolean
    quotas?: boolean
  } = {},
) =>
  Effect.gen(function* () {
    const root = tempDir()
    const hooks: Array<HookRecord> = []
    const table = new SessionTable()
    const now = Date.now()
    const base = {
      cwd: root,
      conversationFrom: undefined,
      owedStops: 0,
      filedPrompts: [],
      limitLinesBefore: 0,
      failedLaunches: 0,
      launchedAt: now,
      decidedBy: "screen",
      since: now,
    } as const
    table.upsert({
      ...base,
      name: "ccl-pool-1",
      kind: "pool",
      account: "main",
      conversationId: undefined,
      phase: "working",
      task: {
        id: "t1",
        attempt: 1,
        dispatch: "t1#1",
        startedAt: now - 60_000,
        sentAt: now - 60_000,
        deadlineAt: now - 1, // past its deadline: stale
        sawBusy: true,
        doneLinesBefore: 0,
      },
      state: "busy",
    })
    table.upsert({
      ...base,
      name: "ccl-pool-2",
      kind: "pool",
      account: undefined,
      conversationId: undefined,
      phase: "dead",
      task: undefined,
      state: "dead",
    })
    const dispatcher: ApiDispatcher = {
      table,
      counters: { dispatched: 3, completed: 2, released: 1, failed: 0 },
      account: () => ({ name: "main", home: `${root}/home` }),
      onHook: (record) => Effect.sync(() => void hooks.push(record)),
    }
    const queue = Layer.effect(
      TaskQueue,
      Effect.map(makeTaskQueueMemory([{ id: "t1", text: TASK }]), (q) =>
        options.brokenQueue
          ? { ...q, counts: Effect.fail(new QueueIOError({ op: "readdir", path: "/q", message: "EIO" })) }
          : q,
      ),
    )
    const settings = testConfig(root, {
      api: {
        host: "127.0.0.1",
        port: 0,
        token: options.token === undefined ? undefined : Redacted.make(options.token),
        metricsToken: options.metricsToken ?? false,
      },
    })
    const port = yield* serveDaemonApi(dispatcher, Date.now(), options.failover).pipe(
      Effect.provide(
        Layer.mergeAll(
          settings,
          queue,
          DaemonEventsLive,
          options.delegation ? fakeDelegation : Layer.empty,
          options.quotas ? fakeQuotas : Layer.empty,
        ),
      ),
    )
    const url = `http://127.0.0.1:${port}`
    const client = yield* HttpApiClient.make(DaemonApi, { baseUrl: url }).pipe(
      Effect.provide(FetchHttpClient.layer),
    )
    return { port, url, hooks, client, root }
  })

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  call(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body })

describe("daemon API", () => {
  it.scopedLive("every GET endpoint answers what its schema says", () =>
    Effect.gen(function* () {
      const { client, url } = yield* serve()
      const status = yield* client.status.status()
      expect(status).toMatchObject({
        pid: process.pid,
        account: "main",
        queue: { pending: 1, active: 0, done: 0, failed: 0, delegated: 0 },
        dispatch: { dispatched: 3, completed: 2, released: 1, failed: 0 },
        delegation: { enabled: false },
      })
      expect(status.sessions.map((s) => [s.name, s.phase, s.task])).toEqual([
        ["ccl-pool-1", "working", "t1"],
        ["ccl-pool-2", "dead", null],
      ])
      expect((yield* client.status.sessions()).length).toBe(2)
      const [task] = yield* client.status.tasks({ urlParams: {} })
      expect(task).toMatchObject({ id: "t1", state: "pending", delegated: false })
      // Times are ISO 8601 strings, as in every --json of the CLI.
      expect(new Date(task!.modified_at).toISOString()).toBe(task!.modified_at)
      expect(yield* client.status.tasks({ urlParams: { state: "done" } })).toEqual([])
      expect(yield* client.status.delegated()).toEqual({ enabled: false })
      expect(yield* client.status.watchdog()).toMatchObject({
        stale_tasks: [{ task: "t1", session: "ccl-pool-1" }],
        dead_sessions: ["ccl-pool-2"],
        delegation: null,
      })
      // The raw JSON decodes with the same schemas, exactly (nothing extra on the wire).
      const raw = (yield* call(`${url}/api/status`)).body
      expect(Schema.encodeSync(DaemonStatus)(Schema.decodeUnknownSync(DaemonStatus)(raw))).toEqual(raw)
      expect(Object.keys(raw).sort()).toEqual([
        "account",
        "delegation",
        "dispatch",
        "failover",
        "pid",
        "queue",
        "sessions",
        "started_at",
      ])
      Schema.decodeUnknownSync(Schema.Array(SessionView))((yield* call(`${url}/api/sessions`)).body)
      Schema.decodeUnknownSync(Schema.Array(TaskSummary))(
        (yield* call(`${url}/api/tasks?state=pending`)).body,
      )
      Schema.decodeUnknownSync(DelegationView)((yield* call(`${url}/api/delegated/status`)).body)
      Schema.decodeUnknownSync(WatchdogStatus)((yield* call(`${url}/watchdog/status`)).body)
    }),
  )

  it.scopedLive("with delegation on: its counters and active jobs", () =>
    Effect.gen(function* () {
      const { client } = yield* serve({ delegation: true })
      expect(yield* client.status.delegated()).toMatchObject({
        enabled: true,
        counters: { submitted: 2, active: 1 },
        active: [{ task_id: "t2", job_id: "j2" }],
      })
      expect((yield* client.status.watchdog()).delegation).toMatchObject({ submitted: 2 })
      expect((yield* client.status.status()).delegation.enabled).toBe(true)
    }),
  )

  it.scopedLive("bad input is 400, an unknown path 404, a queue failure 500: all { error }", () =>
    Effect.gen(function* () {
      const { url, hooks } = yield* serve()
      expect(yield* call(`${url}/api/tasks?state=bogus`)).toEqual({
        status: 400,
        body: { error: "state must be one of pending, active, done, failed" },
      })
      expect(yield* post(`${url}/api/hooks`, JSON.stringify({ event: "Stop" }))).toEqual({
        status: 400,
        body: { error: "not a hook event: { event, ccl_session, received_at, payload }" },
      })
      expect(yield* post(`${url}/api/hooks`, "not json")).toEqual({
        status: 400,
        body: { error: "body is not JSON" },
      })
      // Claude's payload is decoded too (issue 11, point 12): a field of the wrong type, a bad time.
      for (const bad of [
        hook({ payload: { session_id: 42, hook_event_name: "Stop" } }),
        hook({ payload: { prompt_id: ["x"] } }),
        hook({ received_at: "yesterday" }),
      ]) {
        const answer = yield* post(`${url}/api/hooks`, JSON.stringify(bad))
        expect(answer.status, JSON.stringify(bad)).toBe(400)
      }
      expect(hooks).toEqual([])
      expect(yield* call(`${url}/api/nope`)).toEqual({ status: 404, body: { error: "not found" } })
      expect(yield* call(`${url}/api/hooks`)).toEqual({ status: 404, body: { error: "not found" } })

      const broken = yield* serve({ brokenQueue: true })
      const failed = yield* call(`${broken.url}/api/status`)
      expect(failed.status).toBe(500)
      expect(failed.body).toEqual({ error: "QueueIOError: EIO" })
    }),
  )

  it.scopedLive("POST /api/hooks: 204 and the dispatcher gets the event", () =>
    Effect.gen(function* () {
      const { url, hooks, client } = yield* serve()
      const record = hook()
      expect(yield* post(`${url}/api/hooks`, JSON.stringify(record))).toEqual({
        status: 204,
        body: undefined,
      })
      yield* client.control.hooks({ payload: hook({ event: "SessionStart", ccl_session: null }) })
      expect(hooks).toEqual([record, expect.objectContaining({ event: "SessionStart", ccl_session: null })])
    }),
  )

  it.scopedLive("a foreign Host is refused (403) before anything else", () =>
    Effect.gen(function* () {
      const { port } = yield* serve({ token: TOKEN })
      expect(yield* withHost(port, "evil.example:80")).toEqual({
        status: 403,
        body: { error: `Host "evil.example:80" not allowed: use http://127.0.0.1:<port>` },
      })
      expect((yield* withHost(port, `evil.example:${port}`)).status).toBe(403)
      expect((yield* withHost(port, `localhost:${port}`)).status).toBe(401) // allowed Host, no token
      // Behind a tunnel from another local port the browser names that port: still this machine.
      expect((yield* withHost(port, "127.0.0.1:8080")).status).toBe(401)
      expect((yield* withHost(port, "[::1]:8080")).status).toBe(401)
      expect((yield* withHost(port, "localhost")).status).toBe(401)
      expect((yield* withHost(port, "127.0.0.1.evil.example:8080")).status).toBe(403)
      expect((yield* withHost(port, "[::1].evil.example")).status).toBe(403)
    }),
  )

  it.scopedLive("with a token: missing or wrong is 401 on every path, the right one passes", () =>
    Effect.gen(function* () {
      const { url, client } = yield* serve({ token: TOKEN })
      // The typed client sees the error answers as tagged failures.
      expect(yield* Effect.flip(client.status.status())).toMatchObject({
        _tag: "Unauthorized",
        message: "missing or wrong bearer token (CCL_API_TOKEN)",
      })
      const unauthorized = { status: 401, body: { error: "missing or wrong bearer token (CCL_API_TOKEN)" } }
      expect(yield* call(`${url}/api/status`)).toEqual(unauthorized)
      expect(yield* call(`${url}/api/status`, { headers: { authorization: "Bearer nope" } })).toEqual(
        unauthorized,
      )
      expect(yield* call(`${url}/api/nope`)).toEqual(unauthorized)
      expect(yield* post(`${url}/api/hooks`, JSON.stringify(hook()))).toEqual(unauthorized)
      const ok = yield* call(`${url}/api/status`, { headers: { authorization: `Bearer ${TOKEN}` } })
      expect(ok.status).toBe(200)
      Schema.decodeUnknownSync(DaemonStatus)(ok.body)
    }),
  )

  it.scopedLive("POST /api/failover: 501 without failover, else what the failover answers", () =>
    Effect.gen(function* () {
      const { url, client } = yield* serve()
      expect(yield* post(`${url}/api/failover`, "{}")).toEqual({
        status: 501,
        body: { ok: false, message: "this daemon runs without failover" },
      })
      expect(yield* Effect.flip(client.control.failover({ payload: {} }))).toMatchObject({ ok: false })

      const asked: Array<string | undefined> = []
      const plugged = yield* serve({
        failover: {
          swap: (to) =>
            Effect.sync(() => {
              asked.push(to)
              return to === "busy"
                ? { status: 409, body: { ok: false, message: "a swap is already running" } }
                : { status: 200, body: { ok: true, message: `now on ${to ?? "backup"}` } }
            }),
          status: Effect.succeed({
            active: "main",
            swapping: false,
            paused_until: null,
            cooldowns: {},
            history: [],
          }),
        },
      })
      expect(yield* post(`${plugged.url}/api/failover`, JSON.stringify({ to: "busy" }))).toEqual({
        status: 409,
        body: { ok: false, message: "a swap is already running" },
      })
      expect(yield* plugged.client.control.failover({ payload: { to: "backup" } })).toEqual({
        ok: true,
        message: "now on backup",
      })
      expect(yield* post(`${plugged.url}/api/failover`, JSON.stringify({ to: 7 }))).toMatchObject({
        status: 400,
      })
      // Not JSON, or JSON that is not an object: 400 with the reason, and no swap (issue 11, point 13).
      for (const bad of ["not json", "", "[]", "null", '"backup"', '{"to": "backup", "extra": 1}']) {
        const answer = yield* post(`${plugged.url}/api/failover`, bad)
        expect(answer.status, `body ${JSON.stringify(bad)}`).toBe(400)
        expect(String((answer.body as { error?: string }).error)).toMatch(/./)
      }
      // A form post (`curl -d x`) or text: 400, no swap.
      for (const type of ["application/x-www-form-urlencoded", "text/plain"]) {
        const answer = yield* post(`${plugged.url}/api/failover`, "to=backup", { "content-type": type })
        expect(answer.status).toBe(400)
        expect(String((answer.body as { error?: string }).error)).toContain("must be JSON")
      }
      expect(asked).toEqual(["busy", "backup"])
      const status = yield* plugged.client.status.status()
      expect(status.failover).toMatchObject({ active: "main", swapping: false })
      expect((yield* client.status.status()).failover).toBeNull()
    }),
  )
})

describe("ccl status", () => {
  it.scopedLive(
    "--json prints GET /api/status's body (token from CCL_API_TOKEN); down, the same shape from disk with daemon: null",
    () =>
      Effect.gen(function* () {
        const { port, root } = yield* serve({ token: TOKEN })
        writeFileSync(path.join(root, "ccl.yaml"), `queue: ./queue\nstate: ./state\napi: { port: ${port} }\n`)
        const ccl = (args: Array<string>, env: Record<string, string> = { CCL_API_TOKEN: TOKEN }) =>
          Effect.promise(() => runCclAsync(["status", ...args], { cwd: root, env }))

        const text = yield* ccl([])
        expect(text.code).toBe(0)
        expect(text.stdout).toContain(`daemon pid ${process.pid}, account main`)
        expect(text.stdout).toContain("queue: pending 1, active 0, done 0, failed 0, delegated 0")
        expect(text.stdout).toMatch(/ccl-pool-1\s+main\s+working\s+busy\s+t1\s+\d+s/)
        // --json is the body of GET /api/status, field for field.
        const json = yield* ccl(["--json"])
        const body = (yield* call(`http://127.0.0.1:${port}/api/status`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        })).body
        expect(JSON.parse(json.stdout)).toEqual(body)

        // A wrong token or no daemon at all: the disk view.
        const refused = yield* ccl([], { CCL_API_TOKEN: "nope" })
        expect(refused.code).toBe(0)
        expect(refused.stdout).toContain(`no daemon answers on 127.0.0.1:${port}`)
        writeFileSync(path.join(root, "ccl.yaml"), "queue: ./queue\nstate: ./state\napi: { port: 1 }\n")
        expect(JSON.parse((yield* ccl(["--json"])).stdout)).toEqual({
          daemon: null,
          account: null,
          sessions: [],
          queue: { pending: 0, active: 0, done: 0, failed: 0, delegated: 0 },
          failover: null,
        })
        // With a state.json: the active account and its cooldowns come from it, in the API's shape.
        mkdirSync(path.join(root, "state"), { recursive: true })
        writeFileSync(
          path.join(root, "state", "state.json"),
          JSON.stringify({
            active_account: "backup",
            attempts: {},
            cooldowns: { main: "2099-01-01T00:00:00.000Z" },
          }),
        )
        const disk = JSON.parse((yield* ccl(["--json"])).stdout)
        expect(disk).toMatchObject({
          daemon: null,
          account: "backup",
          sessions: [],
          failover: { active: "backup", swapping: false, cooldowns: { main: "2099-01-01T00:00:00.000Z" } },
        })
        Schema.decodeUnknownSync(FailoverView)(disk.failover)
      }),
  )
})

/** GET /metrics as text, with a chosen Host and headers (fetch would not send a foreign Host). */
const metricsWith = (port: number, headers: Record<string, string>) =>
  Effect.async<{ status: number; type: string | undefined; text: string }>((resume) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/metrics", headers }, (res) => {
      let text = ""
      res.on("data", (d) => (text += d))
      res.on("end", () =>
        resume(Effect.succeed({ status: res.statusCode ?? 0, type: res.headers["content-type"], text })),
      )
    })
    req.on("error", (e) => resume(Effect.die(e)))
    req.end()
  })

describe("GET /metrics", () => {
  it.scopedLive(
    "Prometheus text 0.0.4: the queue, the sessions and delegation as gauges, HELP and TYPE each",
    () =>
      Effect.gen(function* () {
        const { port } = yield* serve({ delegation: true })
        const r = yield* metricsWith(port, { host: `127.0.0.1:${port}` })
        expect(r.status).toBe(200)
        expect(r.type).toBe("text/plain; version=0.0.4; charset=utf-8")
        const m = parseExposition(r.text)
        expect(m.value("ccl_tasks", { state: "pending" })).toBe(1)
        expect(m.value("ccl_tasks", { state: "done" })).toBe(0)
        expect(m.value("ccl_sessions", { state: "working" })).toBe(1)
        expect(m.value("ccl_sessions", { state: "dead" })).toBe(1)
        expect(m.value("ccl_delegation_jobs", { state: "active" })).toBe(1)
        expect(m.value("ccl_delegation_jobs", { state: "submitted" })).toBe(2)
        for (const [name, type] of m.types) {
          expect(m.help.get(name), name).toBeTruthy()
          expect(["gauge", "counter", "histogram"]).toContain(type)
        }
      }),
  )

  it.scopedLive("quotas from the quota intake when it runs, as ratios; no intake, no samples", () =>
    Effect.gen(function* () {
      const withIntake = yield* serve({ quotas: true })
      const m = parseExposition(
        (yield* metricsWith(withIntake.port, { host: `127.0.0.1:${withIntake.port}` })).text,
      )
      expect(m.value("ccl_account_quota_used_ratio", { account: "main", window: "five_hour" })).toBe(0.96)
      expect(m.series("ccl_account_quota_used_ratio")).toHaveLength(1)
      const without = yield* serve()
      const none = parseExposition(
        (yield* metricsWith(without.port, { host: `127.0.0.1:${without.port}` })).text,
      )
      expect(none.series("ccl_account_quota_used_ratio")).toEqual([])
    }),
  )

  it.scopedLive("with CCL_API_TOKEN: open without the token by default, the Host still checked", () =>
    Effect.gen(function* () {
      const { port } = yield* serve({ token: TOKEN })
      expect((yield* metricsWith(port, { host: `localhost:${port}` })).status).toBe(200)
      expect(
        (yield* metricsWith(port, { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}` })).status,
      ).toBe(200)
      expect((yield* metricsWith(port, { host: `evil.example:${port}` })).status).toBe(403)
      // Only GET /metrics is open: the rest of the API still wants the token.
      expect((yield* call(`http://127.0.0.1:${port}/api/status`)).status).toBe(401)
      expect((yield* call(`http://127.0.0.1:${port}/metrics/x`)).status).toBe(401)
    }),
  )

  it.scopedLive("api.metrics_token: true makes /metrics want the token like the rest", () =>
    Effect.gen(function* () {
      const { port } = yield* serve({ token: TOKEN, metricsToken: true })
      expect((yield* metricsWith(port, { host: `127.0.0.1:${port}` })).status).toBe(401)
      const ok = yield* metricsWith(port, { host: `127.0.0.1:${port}`, authorization: `Bearer ${TOKEN}` })
      expect(ok.status).toBe(200)
      expect(parseExposition(ok.text).value("ccl_tasks", { state: "pending" })).toBe(1)
    }),
  )
})
