// Fault 13 (RELIABILITY.md): a secutools server that accepts requests and never answers. The per-attempt timeout
// fires (retries counted), the per-call deadline gives up (the marker keeps its key, the reaper submits again), the
// status API keeps answering, and the task is done once the server answers again. The daemon runs for real (tmux,
// simulated agent); the mock secutools runs in this process with `hangFirst`.

import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type MockSecutoolsHandle, startMockSecutools } from "../../src/programs/MockSecutools.js"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const KEY = "sk-hanging-secutools"
const TOKEN = "hanging-secutools-token"

type Project = Awaited<ReturnType<typeof daemonProject>>

interface DelegatedStatus {
  readonly enabled: boolean
  readonly counters: {
    submitted: number
    completed: number
    failed: number
    active: number
    retries: number
    submit_errors: number
  }
  readonly active: ReadonlyArray<{ task_id: string; job_id: string | null }>
}

/** The project's ccl.yaml with a delegation section of our own: short attempt timeout and per-call deadline. */
const setDelegation = (p: Project, url: string) => {
  const file = path.join(p.dir, "ccl.yaml")
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => !l.startsWith("delegation:"))
  lines.push(
    `delegation: { url: ${url}, poll: 200ms, deadline: 10m, retry: { attempts: 10, base: 50ms, cap: 200ms, attempt_timeout: 1s, deadline: 3s } }`,
  )
  writeFileSync(file, lines.join("\n"))
}

/** GET with a client timeout: a hung daemon API shows as an error, not as a hung test. */
const get = async (p: Project, route: string) => {
  const r = await fetch(`http://127.0.0.1:${p.port}${route}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
    signal: AbortSignal.timeout(5_000),
  })
  return { status: r.status, body: (await r.json()) as unknown }
}

/**
 * SIGTERM, then SIGKILL if it has not exited after a while (a step stuck on the network must not hang the test).
 * The exit code of the SIGTERM, or "hung".
 */
const stopDaemon = async (p: Project): Promise<number | null | "hung"> => {
  const code = await Promise.race([p.stop(), new Promise<"hung">((r) => setTimeout(() => r("hung"), 10_000))])
  if (code === "hung") await p.stop("SIGKILL")
  return code
}

const mockStats = (mock: MockSecutoolsHandle) => Effect.runPromise(mock.stats)
const requests = async (mock: MockSecutoolsHandle) => (await mockStats(mock)).requests

describe("fault 13: secutools accepts and never answers", () => {
  it.live(
    "fault 13: a secutools server that accepts and never answers (8 hung requests) -> per-attempt timeouts fire, the per-call deadline gives up, the status API stays responsive, the task is done",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const mock = yield* startMockSecutools({ key: KEY, jobMs: 300, hangFirst: 8 })
          yield* Effect.promise(async () => {
            const p = await daemonProject({
              poolSize: 1,
              workMs: 100,
              token: TOKEN,
              secutools: mock.url,
              secutoolsKey: KEY,
            })
            try {
              setDelegation(p, mock.url)
              const added = await p.ccl([
                "queue",
                "add",
                "--text",
                "Summarise the logs",
                "--id",
                "hung-1",
                "--preferred-ai",
                "gpu",
              ])
              expect(added.code).toBe(0)
              p.start()
              await eventually(
                async () => ((await requests(mock)) >= 1 ? true : undefined),
                60_000,
                () => `no request reached secutools; log:\n${p.log()}`,
              )

              // While requests hang, the API answers every time (each within a 5 s client timeout).
              let seenWhileHanging = 0
              for (let i = 0; i < 6; i++) {
                const status = await get(p, "/api/status")
                expect(status.status).toBe(200)
                const delegated = await get(p, "/api/delegated/status")
                expect(delegated.status).toBe(200)
                expect((delegated.body as DelegatedStatus).enabled).toBe(true)
                if (!p.ls("done").includes("hung-1.md")) seenWhileHanging++
                await new Promise((r) => setTimeout(r, 250))
              }
              expect(seenWhileHanging).toBeGreaterThan(0)
              const sessions = await get(p, "/api/sessions")
              expect(sessions.status).toBe(200)
              const watchdog = await get(p, "/watchdog/status")
              expect(watchdog.status).toBe(200)

              // The hangs run out; the task is done, through the same idempotency key: one job.
              await eventually(
                () => (p.ls("done").includes("hung-1.md") ? true : undefined),
                90_000,
                () =>
                  `hung-1 not done: pending ${p.ls("pending")} failed ${p.ls("failed")}; log:\n${p.log()}`,
              )
              expect(p.footer("done", "hung-1")).toMatchObject({
                status: "completed",
                route: "delegated",
                provider: "gpu",
              })
              expect(p.ls("failed")).toEqual([])
              // done/ is linked first, then the task and its marker leave pending/ (after an fsync of done/).
              await eventually(
                () => (p.ls("pending").length === 0 ? true : undefined),
                10_000,
                () => `pending/ still holds ${p.ls("pending")}`,
              )
              const stats = await mockStats(mock)
              expect(stats.jobs).toBe(1)
              expect(stats.requests).toBeGreaterThan(8)

              const final = (await get(p, "/api/delegated/status")).body as DelegatedStatus
              // Hung attempts were cut by the per-attempt timeout and tried again...
              expect(final.counters.retries).toBeGreaterThan(0)
              // ...and a call that kept hanging gave up at its deadline (attempts: 10 would not run out first).
              expect(final.counters.submit_errors).toBeGreaterThan(0)
              expect(final.counters).toMatchObject({ completed: 1, failed: 0, active: 0 })
            } finally {
              await stopDaemon(p)
              p.server.kill()
            }
          })
        }),
      ),
    180_000,
  )

  it.live(
    "fault 13: while the dispatcher's own submit hangs, its per-attempt timeout and deadline free it -> a local task queued behind is done, SIGTERM exits 0",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          // Three hangs: the dispatcher's first POST is among the first three requests, whatever the reaper does.
          const mock = yield* startMockSecutools({ key: KEY, jobMs: 300, hangFirst: 3 })
          yield* Effect.promise(async () => {
            const p = await daemonProject({
              poolSize: 1,
              workMs: 100,
              token: TOKEN,
              secutools: mock.url,
              secutoolsKey: KEY,
            })
            try {
              setDelegation(p, mock.url)
              expect(
                (
                  await p.ccl([
                    "queue",
                    "add",
                    "--text",
                    "Remote work",
                    "--id",
                    "hung-2",
                    "--preferred-ai",
                    "gpu",
                  ])
                ).code,
              ).toBe(0)
              p.start()
              await eventually(
                async () => ((await requests(mock)) >= 1 ? true : undefined),
                60_000,
                () => `no request reached secutools; log:\n${p.log()}`,
              )
              expect((await p.ccl(["queue", "add", "--text", "Local work", "--id", "local-1"])).code).toBe(0)
              await eventually(
                () => (p.ls("done").includes("local-1.md") ? true : undefined),
                60_000,
                () => `local-1 not done while a submit hangs: active ${p.ls("active")}; log:\n${p.log()}`,
              )
              await eventually(
                () => (p.ls("done").includes("hung-2.md") ? true : undefined),
                60_000,
                () => `hung-2 not done; log:\n${p.log()}`,
              )
              // The dispatcher's own submit comes back (delegated, or deferred to the reaper) by its deadline, even
              // when the reaper's resubmission finished the task first.
              await eventually(
                () =>
                  /task hung-2 (delegated to gpu as job|not delegated now)/.test(p.log()) ? true : undefined,
                30_000,
                () => `the dispatcher's submit of hung-2 never came back; log:\n${p.log()}`,
              )
              expect(await stopDaemon(p)).toBe(0)
            } finally {
              await stopDaemon(p)
              p.server.kill()
            }
          })
        }),
      ),
    180_000,
  )
})
