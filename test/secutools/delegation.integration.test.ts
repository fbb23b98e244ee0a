// Delegation end to end over real HTTP: the real client, the real queue on disk, the mock server on a random port.

import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option, Redacted } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import type { RetryPolicy } from "../../src/domain/RetryPolicy.js"
import { DelegationLive } from "../../src/layers/DelegationLive.js"
import { SecutoolsClientHttp } from "../../src/layers/SecutoolsClientHttp.js"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { type MockSecutoolsOptions, mockCost, startMockSecutools } from "../../src/programs/MockSecutools.js"
import { Delegation } from "../../src/services/Delegation.js"
import { SecutoolsClient } from "../../src/services/SecutoolsClient.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { testConfig } from "../support/settings.js"
import { tempDir } from "../support/tempDir.js"

const KEY = "sk-integration"
const fastRetry: RetryPolicy = {
  attempts: 6,
  baseMs: 20,
  capMs: 100,
  retryAfterCapMs: 2_000,
  attemptTimeoutMs: 400,
  deadlineMs: 20_000,
}

/** A mock server plus ccl's delegation stack pointed at it, in this scope. */
const stack = (mock: MockSecutoolsOptions = {}) =>
  Effect.gen(function* () {
    const server = yield* startMockSecutools({ key: KEY, jobMs: 100, ...mock })
    const root = tempDir()
    const layer = DelegationLive.pipe(
      Layer.provideMerge(TaskQueueFs(path.join(root, "queue"))),
      Layer.provideMerge(
        SecutoolsClientHttp({ url: server.url, apiKey: Redacted.make(KEY), policy: fastRetry }).pipe(
          Layer.provide(FetchHttpClient.layer),
        ),
      ),
      Layer.provide(testConfig(root)),
      Layer.provide(NodeFileSystem.layer),
    )
    return { server, root, ctx: yield* Layer.build(layer) }
  })

const addAndSubmit = (id: string, text: string, provider: string) =>
  Effect.gen(function* () {
    const q = yield* TaskQueue
    yield* q.enqueue(id, text)
    const task = (yield* q.listPending).find((t) => t.id === id)!
    return yield* (yield* Delegation).submit(task, provider)
  })

/** Reaps until nothing is running (bounded). */
const reapUntilSettled = Effect.gen(function* () {
  const d = yield* Delegation
  for (let i = 0; i < 50; i++) {
    const r = yield* d.reapOnce
    if (r.stillRunning === 0) return
    yield* Effect.sleep("50 millis")
  }
  throw new Error("jobs did not settle")
})

describe("delegation over real HTTP against the mock server", () => {
  it.live("submit -> reap -> done/ with provider, job id, cost and the result text", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, root, ctx } = yield* stack()
        yield* Effect.gen(function* () {
          const prompt = "Summarise the incident report"
          const submitted = yield* addAndSubmit(
            "inc-1",
            `---\npreferred_ai: gemini\n---\n${prompt}\n`,
            "gemini",
          )
          yield* reapUntilSettled
          const text = readFileSync(path.join(root, "queue", "done", "inc-1.md"), "utf8")
          const parsed = parseFooter(text)!
          expect(parsed.original).toBe(`---\npreferred_ai: gemini\n---\n${prompt}\n`)
          expect(parsed.footer).toMatchObject({
            status: "completed",
            route: "delegated",
            provider: "gemini",
            job_id: submitted.job_id,
            cost_usd: mockCost("gemini", `${prompt}\n`),
          })
          expect(parsed.footer.text).toContain("inc-1")
          expect(Date.parse(parsed.footer.finished_at)).toBeGreaterThanOrEqual(
            Date.parse(parsed.footer.started_at!),
          )
          expect(readdirSync(path.join(root, "queue", "pending"))).toEqual([])
          expect((yield* server.stats).jobs).toBe(1)
        }).pipe(Effect.provide(ctx))
      }),
    ),
  )

  it.live("a prompt with [fail] ends in failed/ with the platform's error", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { root, ctx } = yield* stack()
        yield* Effect.gen(function* () {
          yield* addAndSubmit("boom", "Please [fail] now\n", "gpu")
          yield* reapUntilSettled
          const footer = parseFooter(
            readFileSync(path.join(root, "queue", "failed", "boom.md"), "utf8"),
          )!.footer
          expect(footer).toMatchObject({ status: "failed", route: "delegated", provider: "gpu" })
          expect(footer.error).toBe("job failed: provider error: the task asked to fail")
        }).pipe(Effect.provide(ctx))
      }),
    ),
  )

  it.live("--fail-first 3: the first three 500s are retried and the task still completes", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, root, ctx } = yield* stack({ failFirst: 3 })
        yield* Effect.gen(function* () {
          yield* addAndSubmit("flaky", "x\n", "gemini")
          yield* reapUntilSettled
          expect(readdirSync(path.join(root, "queue", "done"))).toEqual(["flaky.md"])
          const stats = yield* server.stats
          expect(stats.byStatus["500"]).toBe(3)
          expect(stats.jobs).toBe(1)
          expect((yield* (yield* Delegation).status).counters.retries).toBe(3)
        }).pipe(Effect.provide(ctx))
      }),
    ),
  )

  it.live("--rate-limit-first 1: Retry-After is honoured and the submit succeeds", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, ctx } = yield* stack({ rateLimitFirst: 1 })
        yield* Effect.gen(function* () {
          const started = Date.now()
          yield* addAndSubmit("limited", "x\n", "gemini")
          expect(Date.now() - started).toBeGreaterThanOrEqual(1_000)
          expect((yield* server.stats).byStatus["429"]).toBe(1)
        }).pipe(Effect.provide(ctx))
      }),
    ),
  )

  it.live("--hang-first 1: the per-attempt timeout fires and the retry succeeds", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { server, root, ctx } = yield* stack({ hangFirst: 1 })
        yield* Effect.gen(function* () {
          yield* addAndSubmit("hung", "x\n", "gemini")
          yield* reapUntilSettled
          expect(readdirSync(path.join(root, "queue", "done"))).toEqual(["hung.md"])
          expect((yield* server.stats).jobs).toBe(1)
        }).pipe(Effect.provide(ctx))
      }),
    ),
  )

  it.live(
    "idempotency: a crash after the POST, then a resubmit with the marker's key, makes ONE remote job",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const { server, root, ctx } = yield* stack()
          yield* Effect.gen(function* () {
            const q = yield* TaskQueue
            yield* q.enqueue("once", "only once\n")
            // The state a crash between the POST and the marker update leaves: a marker without a job id...
            const marker = {
              task_id: "once",
              provider: "gemini",
              idempotency_key: "ccl-once-fixed-key",
              job_id: null,
              submitted_at: new Date().toISOString(),
              state: "delegated_to_secutools" as const,
            }
            expect(yield* q.createMarker(marker)).toBe(true)
            // ...and a job the platform did create.
            const first = yield* (yield* SecutoolsClient).submitJob({
              provider: "gemini",
              prompt: "only once\n",
              metadata: { task_id: "once" },
              idempotencyKey: marker.idempotency_key,
            })
            const report = yield* (yield* Delegation).reapOnce
            expect(report.resubmitted).toEqual(["once"])
            expect(Option.getOrThrow(yield* q.readMarker("once")).job_id).toBe(first.job_id)
            yield* reapUntilSettled
            expect(readdirSync(path.join(root, "queue", "done"))).toEqual(["once.md"])
            const stats = yield* server.stats
            expect(stats.jobs).toBe(1)
            expect(stats.submits).toBe(2)
          }).pipe(Effect.provide(ctx))
        }),
      ),
  )
})
