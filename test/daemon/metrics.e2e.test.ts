import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { daemonProject } from "../support/daemonProject.js"
import { addTaskFile, type Project } from "../support/projectTasks.js"
import {
  type Exposition,
  parseExposition,
  promtool,
  promtoolCheck,
  promtoolFound,
} from "../support/prometheus.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "metrics-e2e"

const add = addTaskFile

/** One scrape, without the token (CCL_API_TOKEN is set: /metrics is open by default), checked by promtool. */
const scrape = async (p: Project): Promise<Exposition> => {
  const r = await fetch(`http://127.0.0.1:${p.port}/metrics`)
  const text = await r.text()
  expect(r.status, text).toBe(200)
  expect(r.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8")
  // Parse errors and lint problems (missing HELP, a counter without _total...) alike: exit code and output.
  expect(promtoolCheck(text), text).toEqual({ code: 0, output: "" })
  return parseExposition(text)
}

/** Scrapes until `ready` holds (the counters follow the files by a few ms), or fails after `ms`. */
const scrapeUntil = (p: Project, ready: (m: Exposition) => boolean, ms = 60_000) =>
  Effect.promise(() =>
    eventually(
      async () => {
        const m = await scrape(p).catch(() => undefined)
        return m !== undefined && ready(m) ? m : undefined
      },
      ms,
      p.log,
    ),
  )

const n = (m: Exposition, name: string, labels?: Record<string, string>) => m.value(name, labels) ?? 0
const completed = (m: Exposition, account: string) =>
  n(m, "ccl_tasks_completed_total", { route: "local", provider: "claude-code", account })
const latencyCount = (m: Exposition) => n(m, "ccl_dispatch_latency_seconds_count")

describe("GET /metrics (real daemon, simulated agents)", () => {
  it.live(
    "promtool reads every scrape clean; tasks done, failed and dispatched and a failover move their series",
    () =>
      Effect.gen(function* () {
        expect(
          promtoolFound(),
          `${promtool} not found: apt-get install prometheus (its promtool), or CCL_PROMTOOL=/path/to/promtool`,
        ).toBe(true)
        const p = yield* Effect.promise(() =>
          daemonProject({ poolSize: 2, workMs: 200, token: TOKEN, accounts: ["main", "backup"] }),
        )
        p.start()
        const m0 = yield* scrapeUntil(p, (m) => n(m, "ccl_sessions", { state: "ready" }) === 2)
        const startedAt = Date.now() / 1000
        // Series of fixed label sets exist at 0 from the start (rate() sees their first event).
        expect(m0.value("ccl_tasks_failed_total", { cause: "agent_error" })).toBe(0)
        expect(m0.value("ccl_failovers_total", { reason: "limit" })).toBe(0)
        expect(m0.value("ccl_dispatch_latency_seconds_count")).toBe(0)
        expect(m0.value("ccl_account_cooldown_until_seconds", { account: "main" })).toBe(0)

        yield* Effect.promise(async () => {
          for (const id of ["one", "two", "three"]) await add(p, id, `Task ${id}\n`)
          await add(p, "broken", "---\nmax_attempts: 1\n---\nCall the API [api-error]\n")
        })
        const m1 = yield* scrapeUntil(
          p,
          (m) =>
            completed(m, "main") >= 3 &&
            n(m, "ccl_tasks_failed_total", { cause: "agent_error" }) >= 1 &&
            n(m, "ccl_hook_events_total", { event: "UserPromptSubmit" }) >= 4,
        )
        expect(p.ls("done")).toEqual(["one.md", "three.md", "two.md"])
        expect(p.ls("failed")).toEqual(["broken.md"])
        expect(completed(m1, "main")).toBe(3)
        expect(m1.value("ccl_tasks", { state: "done" })).toBe(3)
        expect(m1.value("ccl_tasks", { state: "failed" })).toBe(1)
        expect(m1.value("ccl_tasks", { state: "pending" })).toBe(0)
        expect(n(m1, "ccl_tasks_failed_total", { cause: "agent_error" })).toBe(1)
        // Each of the four was dispatched once: one latency observation each, none negative.
        expect(latencyCount(m1)).toBe(4)
        expect(n(m1, "ccl_dispatch_latency_seconds_sum")).toBeGreaterThanOrEqual(0)
        expect(m1.value("ccl_dispatch_latency_seconds_bucket", { le: "+Inf" })).toBe(4)
        // The agents' hooks came through the daemon: a prompt hook per task at least.
        expect(n(m1, "ccl_hook_events_total", { event: "UserPromptSubmit" })).toBeGreaterThanOrEqual(4)

        // A turn that hits main's usage limit: every session moves to backup, the task finishes there.
        yield* Effect.promise(() => add(p, "limited", "Port the parser [limit]\n"))
        const m2 = yield* scrapeUntil(p, (m) => completed(m, "backup") >= 1, 90_000)
        expect(p.ls("done")).toContain("limited.md")
        expect(completed(m2, "backup")).toBe(1)
        expect(completed(m2, "main")).toBe(3)
        expect(n(m2, "ccl_failovers_total", { reason: "limit" })).toBe(1)
        expect(n(m2, "ccl_tasks_failed_total", { cause: "agent_error" })).toBe(1)
        expect(latencyCount(m2)).toBe(5)
        expect(m2.value("ccl_account_cooldown_until_seconds", { account: "main" })).toBeGreaterThan(startedAt)
        expect(m2.value("ccl_account_cooldown_until_seconds", { account: "backup" })).toBe(0)
        yield* Effect.promise(() => p.stop())
      }),
    180_000,
  )
})
