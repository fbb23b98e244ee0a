import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { DelegationLive } from "../../src/layers/DelegationLive.js"
import { SecutoolsClientMemory } from "../../src/layers/SecutoolsClientMemory.js"
import { TaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { Delegation } from "../../src/services/Delegation.js"
import { SecutoolsHttpError, SecutoolsTransportError } from "../../src/services/SecutoolsClient.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { testConfig } from "../support/settings.js"

/** Delegation over the in-memory queue and platform; returns the platform's script too. */
const setup = (settingsOver = {}) =>
  Effect.gen(function* () {
    const platform = yield* SecutoolsClientMemory
    const queueLayer = TaskQueueMemory()
    const layer = DelegationLive.pipe(
      Layer.provideMerge(queueLayer),
      Layer.provide(platform.layer),
      Layer.provide(testConfig("/tmp/none", settingsOver)),
    )
    const ctx = yield* Layer.build(layer)
    return { script: platform.script, ctx }
  })

const pendingTask = (id: string) =>
  Effect.gen(function* () {
    const q = yield* TaskQueue
    const list = yield* q.listPending
    return list.find((t) => t.id === id)!
  })

describe("Delegation (in-memory queue and platform)", () => {
  it.scoped(
    "submit writes the marker with its key, posts once, records the job id; reap files the result",
    () =>
      Effect.gen(function* () {
        const { script, ctx } = yield* setup()
        yield* Effect.gen(function* () {
          const q = yield* TaskQueue
          const d = yield* Delegation
          yield* q.enqueue("t1", "---\npreferred_ai: gemini\ncomplexity_hint: low\n---\nSummarise it\n")
          const submitted = yield* d.submit(yield* pendingTask("t1"), "gemini")
          expect(submitted).toEqual({ task_id: "t1", job_id: "job-1", provider: "gemini" })
          const marker = Option.getOrThrow(yield* q.readMarker("t1"))
          expect(marker).toMatchObject({
            task_id: "t1",
            provider: "gemini",
            job_id: "job-1",
            state: "delegated_to_secutools",
          })
          const [job] = script.jobs()
          expect(job!.request).toEqual({
            provider: "gemini",
            prompt: "Summarise it\n",
            metadata: { task_id: "t1", complexity_hint: "low" },
            idempotencyKey: marker.idempotency_key,
          })
          // A delegated task is neither listed nor claimable, and cannot be submitted twice.
          expect(yield* q.listPending).toEqual([])
          const again = yield* Effect.flip(d.submit(yield* pendingTask2(q), "gemini"))
          expect(again._tag).toBe("AlreadyClaimed")

          expect(yield* d.reapOnce).toMatchObject({ completed: [], stillRunning: 1 })
          script.settle("job-1", {
            status: "completed",
            result: "Here is the summary.",
            cost_usd: 0.0123,
            finished_at: "2026-11-24T10:03:12.000Z",
          })
          expect((yield* d.reapOnce).completed).toEqual(["t1"])
          const done = Option.getOrThrow(yield* q.get("t1"))
          expect(done.state).toBe("done")
          expect(parseFooter(done.text)?.footer).toEqual({
            status: "completed",
            route: "delegated",
            provider: "gemini",
            job_id: "job-1",
            cost_usd: 0.0123,
            started_at: marker.submitted_at,
            finished_at: "2026-11-24T10:03:12.000Z",
            text: "Here is the summary.",
          })
          expect(yield* q.listMarkers).toEqual([])
          const status = yield* d.status
          expect(status.counters).toMatchObject({
            submitted: 1,
            completed: 1,
            failed: 0,
            active: 0,
            submit_errors: 0,
          })
        }).pipe(Effect.provide(ctx))
      }),
  )

  it.scoped("a failed or cancelled job ends in failed/ with its error", () =>
    Effect.gen(function* () {
      const { script, ctx } = yield* setup()
      yield* Effect.gen(function* () {
        const q = yield* TaskQueue
        const d = yield* Delegation
        for (const id of ["f1", "c1"]) yield* q.enqueue(id, "x\n")
        yield* d.submit(yield* pendingTask("f1"), "gpu")
        yield* d.submit(yield* pendingTask("c1"), "gpu")
        script.settle("job-1", { status: "failed", error: "GPU out of memory" })
        script.settle("job-2", { status: "cancelled" })
        const report = yield* d.reapOnce
        expect([...report.failed].sort()).toEqual(["c1", "f1"])
        const f1 = parseFooter(Option.getOrThrow(yield* q.get("f1")).text)!.footer
        expect(f1).toMatchObject({ status: "failed", route: "delegated", provider: "gpu", job_id: "job-1" })
        expect(f1.error).toBe("job failed: GPU out of memory")
        expect(parseFooter(Option.getOrThrow(yield* q.get("c1")).text)!.footer.error).toBe("job cancelled")
        expect((yield* d.status).counters.failed).toBe(2)
      }).pipe(Effect.provide(ctx))
    }),
  )

  it.scoped(
    "a 4xx on submit fails the task at once; a transport failure keeps the marker and the reaper resubmits with the same key",
    () =>
      Effect.gen(function* () {
        const { script, ctx } = yield* setup()
        yield* Effect.gen(function* () {
          const q = yield* TaskQueue
          const d = yield* Delegation
          yield* q.enqueue("bad", "x\n")
          yield* q.enqueue("later", "y\n")
          script.failNext(
            1,
            new SecutoolsHttpError({
              status: 422,
              message: "prompt too long",
              retryable: false,
              retryAfterMs: undefined,
            }),
          )
          const rejected = yield* Effect.flip(d.submit(yield* pendingTask("bad"), "gemini"))
          expect(rejected).toMatchObject({
            _tag: "SubmitRejected",
            message: "secutools answered 422: prompt too long",
          })
          expect(Option.getOrThrow(yield* q.get("bad")).state).toBe("failed")
          expect(Option.isNone(yield* q.readMarker("bad"))).toBe(true)

          script.failNext(1, new SecutoolsTransportError({ message: "connection refused" }))
          const deferred = yield* Effect.flip(d.submit(yield* pendingTask("later"), "gemini"))
          expect(deferred._tag).toBe("SubmitDeferred")
          const kept = Option.getOrThrow(yield* q.readMarker("later"))
          expect(kept.job_id).toBeNull()
          expect(script.jobs()).toHaveLength(0)
          const report = yield* d.reapOnce
          expect(report.resubmitted).toEqual(["later"])
          const [job] = script.jobs()
          expect(job!.request.idempotencyKey).toBe(kept.idempotency_key)
          expect(Option.getOrThrow(yield* q.readMarker("later")).job_id).toBe(job!.job_id)
          expect((yield* d.status).counters.submit_errors).toBe(2)
        }).pipe(Effect.provide(ctx))
      }),
  )

  it.scoped("a job past its deadline (the task's timeout) is failed", () =>
    Effect.gen(function* () {
      const { ctx } = yield* setup()
      yield* Effect.gen(function* () {
        const q = yield* TaskQueue
        const d = yield* Delegation
        yield* q.enqueue("slow", "---\ntimeout: 1s\n---\nx\n")
        yield* d.submit(yield* pendingTask("slow"), "gemini")
        expect((yield* d.reapOnce).stillRunning).toBe(1)
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 1_100)))
        expect((yield* d.reapOnce).failed).toEqual(["slow"])
        expect(parseFooter(Option.getOrThrow(yield* q.get("slow")).text)!.footer.error).toContain(
          "still queued at its deadline",
        )
      }).pipe(Effect.provide(ctx))
    }),
  )

  it.scoped("a job the platform no longer knows (404) fails the task with that reason", () =>
    Effect.gen(function* () {
      const { ctx } = yield* setup()
      yield* Effect.gen(function* () {
        const q = yield* TaskQueue
        const d = yield* Delegation
        yield* q.enqueue("lost", "x\n")
        yield* d.submit(yield* pendingTask("lost"), "gemini")
        yield* q.updateMarker({ ...Option.getOrThrow(yield* q.readMarker("lost")), job_id: "job-404" })
        expect((yield* d.reapOnce).failed).toEqual(["lost"])
        expect(parseFooter(Option.getOrThrow(yield* q.get("lost")).text)!.footer.error).toBe(
          "secutools answered 404: job not found",
        )
      }).pipe(Effect.provide(ctx))
    }),
  )
})

/** The same task after a marker exists: listPending hides it, so build it by hand. */
const pendingTask2 = (q: TaskQueue["Type"]) =>
  Effect.map(q.get("t1"), (t) => ({
    id: "t1",
    priority: 0,
    enqueuedAt: 0,
    frontmatter: {},
    body: Option.getOrThrow(t).text,
  }))
