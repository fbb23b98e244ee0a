// The reaper keeps the markers it read between cycles (DelegationMarkerMemory.ts): a cycle reads only the
// names that are new, and a marker remembered from an earlier cycle is read again before anything is filed.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { DelegationLive } from "../../src/layers/DelegationLive.js"
import { SecutoolsClientMemory } from "../../src/layers/SecutoolsClientMemory.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { Delegation } from "../../src/services/Delegation.js"
import { SecutoolsClient } from "../../src/services/SecutoolsClient.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { testConfig } from "../support/settings.js"

const pendingTask = (id: string) =>
  Effect.gen(function* () {
    const q = yield* TaskQueue
    const list = yield* q.listPending
    return list.find((t) => t.id === id)!
  })

describe("the reaper's memory of markers", () => {
  /** As `setup`, with every readMarker call recorded. */
  const counted = Effect.gen(function* () {
    const platform = yield* SecutoolsClientMemory
    const reads: Array<string> = []
    const queueLayer = Layer.effect(
      TaskQueue,
      Effect.map(makeTaskQueueMemory(), (q) =>
        TaskQueue.of({
          ...q,
          readMarker: (id) =>
            Effect.zipRight(
              Effect.sync(() => reads.push(id)),
              q.readMarker(id),
            ),
        }),
      ),
    )
    const ctx = yield* Layer.build(
      DelegationLive.pipe(
        Layer.provideMerge(queueLayer),
        Layer.provideMerge(platform.layer),
        Layer.provide(testConfig("/tmp/none")),
      ),
    )
    return { script: platform.script, ctx, reads }
  })

  it.scoped("a marker is read once; later cycles read only the names that are new", () =>
    Effect.gen(function* () {
      const { ctx, reads } = yield* counted
      yield* Effect.gen(function* () {
        const q = yield* TaskQueue
        const d = yield* Delegation
        for (const id of ["m1", "m2", "m3"]) {
          yield* q.enqueue(id, "x\n")
          yield* d.submit(yield* pendingTask(id), "gemini")
        }
        expect((yield* d.reapOnce).stillRunning).toBe(3)
        expect([...reads].sort()).toEqual(["m1", "m2", "m3"])
        reads.length = 0
        expect((yield* d.reapOnce).stillRunning).toBe(3)
        expect(reads).toEqual([])
        yield* q.enqueue("m4", "y\n")
        yield* d.submit(yield* pendingTask("m4"), "gemini")
        expect((yield* d.reapOnce).stillRunning).toBe(4)
        expect(reads).toEqual(["m4"])
      }).pipe(Effect.provide(ctx))
    }),
  )

  it.scoped("a marker rewritten since it was read is read again before its task is filed", () =>
    Effect.gen(function* () {
      const { script, ctx } = yield* counted
      yield* Effect.gen(function* () {
        const q = yield* TaskQueue
        const d = yield* Delegation
        const client = yield* SecutoolsClient
        yield* q.enqueue("r1", "x\n")
        yield* d.submit(yield* pendingTask("r1"), "gemini")
        expect((yield* d.reapOnce).stillRunning).toBe(1) // job-1 remembered
        // Another process replaces the claim (a new key, a new job) while job-1 finishes.
        const second = yield* client.submitJob({
          provider: "gemini",
          prompt: "x\n",
          metadata: { task_id: "r1" },
          idempotencyKey: "another-key",
        })
        const old = Option.getOrThrow(yield* q.readMarker("r1"))
        yield* q.updateMarker({ ...old, idempotency_key: "another-key", job_id: second.job_id })
        script.settle("job-1", { status: "completed", result: "stale" })
        expect(yield* d.reapOnce).toMatchObject({ completed: [], stillRunning: 1 })
        expect(Option.getOrThrow(yield* q.get("r1")).state).toBe("pending")
        script.settle(second.job_id, { status: "completed", result: "fresh" })
        expect((yield* d.reapOnce).completed).toEqual(["r1"])
        const footer = parseFooter(Option.getOrThrow(yield* q.get("r1")).text)!.footer
        expect(footer).toMatchObject({ job_id: second.job_id, text: "fresh" })
      }).pipe(Effect.provide(ctx))
    }),
  )
})
