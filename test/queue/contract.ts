// The TaskQueue contract, run against every layer (filesystem, in-memory and Postgres).
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, type Layer, Option } from "effect"
import type { DelegationMarker } from "../../src/domain/DelegationMarker.js"
import { parseFooter, type ResultFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { finishedTaskContract } from "./contractFinished.js"

export const footer = (over: Partial<ResultFooter> = {}): ResultFooter => ({
  status: "completed",
  route: "local",
  provider: "claude-code",
  session: "ccl-pool-1",
  attempt: 1,
  finished_at: "2026-11-24T10:00:00.000Z",
  ...over,
})

export const marker = (id: string, over: Partial<DelegationMarker> = {}): DelegationMarker => ({
  task_id: id,
  provider: "gemini",
  idempotency_key: `key-${id}`,
  job_id: null,
  submitted_at: "2026-11-24T10:00:00.000Z",
  state: "delegated_to_secutools",
  ...over,
})

export const taskContract = (name: string, makeLayer: () => Layer.Layer<TaskQueue>) =>
  describe(`TaskQueue contract: ${name}`, () => {
    const run = <A, E>(effect: Effect.Effect<A, E, TaskQueue>) => Effect.provide(effect, makeLayer())

    it.effect("enqueue then listPending returns the parsed task", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("t1", "---\npriority: 3\npreferred_ai: gemini\n---\nDo it\n")
          const pending = yield* q.listPending
          expect(pending.map((t) => t.id)).toEqual(["t1"])
          expect(pending[0]!.priority).toBe(3)
          expect(pending[0]!.frontmatter.preferred_ai).toBe("gemini")
          expect(pending[0]!.body).toBe("Do it\n")
        }),
      ),
    )

    it.effect("enqueue refuses an id that exists in any state, and invalid ids or frontmatter", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("dup", "a\n")
          const again = yield* Effect.flip(q.enqueue("dup", "b\n"))
          expect(again).toMatchObject({ _tag: "TaskExists", state: "pending" })
          yield* q.claim("dup")
          yield* q.complete("dup", footer())
          const afterDone = yield* Effect.flip(q.enqueue("dup", "c\n"))
          expect(afterDone).toMatchObject({ _tag: "TaskExists", state: "done" })
          const badId = yield* Effect.flip(q.enqueue("../etc/passwd", "x\n"))
          expect(badId._tag).toBe("InvalidTask")
          const badFm = yield* Effect.flip(q.enqueue("bad", "---\npriority: high\n---\nx\n"))
          expect(badFm).toMatchObject({ _tag: "InvalidTask" })
          expect((badFm as { reason: string }).reason).toContain("priority")
          expect(Option.isNone(yield* q.get("bad"))).toBe(true)
        }),
      ),
    )

    it.effect("listPending orders by priority, higher first", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("low", "---\npriority: -1\n---\nx\n")
          yield* q.enqueue("none", "x\n")
          yield* q.enqueue("high", "---\npriority: 10\n---\nx\n")
          expect((yield* q.listPending).map((t) => t.id)).toEqual(["high", "none", "low"])
        }),
      ),
    )

    it.effect("claim moves pending to active once; a second claim loses without error", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("c1", "x\n")
          expect(yield* q.claim("c1")).toBe(true)
          expect(yield* q.claim("c1")).toBe(false)
          expect(yield* q.claim("never-existed")).toBe(false)
          const got = yield* q.get("c1")
          expect(Option.getOrThrow(got).state).toBe("active")
          expect(yield* q.listPending).toEqual([])
        }),
      ),
    )

    it.effect("complete appends a parseable footer and keeps the original text", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          const text = "---\npriority: 1\n---\nWrite the report\n"
          yield* q.enqueue("r1", text)
          yield* q.claim("r1")
          yield* q.complete("r1", footer({ text: "All done." }))
          const done = Option.getOrThrow(yield* q.get("r1"))
          expect(done.state).toBe("done")
          const parsed = parseFooter(done.text)
          expect(parsed?.original).toBe(text)
          expect(parsed?.footer).toEqual(footer({ text: "All done." }))
          const missing = yield* Effect.flip(q.complete("r1", footer()))
          expect(missing._tag).toBe("TaskNotFound")
        }),
      ),
    )

    it.effect("fail moves a pending task to failed/ with its error", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("f1", "x\n")
          yield* q.fail("f1", footer({ status: "failed", error: "boom" }))
          const failed = Option.getOrThrow(yield* q.get("f1"))
          expect(failed.state).toBe("failed")
          expect(parseFooter(failed.text)?.footer.error).toBe("boom")
          expect(yield* q.counts).toMatchObject({ pending: 0, failed: 1 })
        }),
      ),
    )

    it.effect(
      "markers: exclusive create, read, update, remove; a delegated task is neither listed nor claimable",
      () =>
        run(
          Effect.gen(function* () {
            const q = yield* TaskQueue
            yield* q.enqueue("d1", "x\n")
            yield* q.enqueue("d2", "y\n")
            expect(yield* q.createMarker(marker("d1"))).toBe(true)
            expect(yield* q.createMarker(marker("d1", { idempotency_key: "other" }))).toBe(false)
            expect(Option.getOrThrow(yield* q.readMarker("d1")).idempotency_key).toBe("key-d1")
            expect((yield* q.listPending).map((t) => t.id)).toEqual(["d2"])
            expect(yield* q.claim("d1")).toBe(false)
            yield* q.updateMarker(marker("d1", { job_id: "job-9" }))
            expect(Option.getOrThrow(yield* q.readMarker("d1")).job_id).toBe("job-9")
            expect(yield* q.listMarkers).toEqual(["d1"])
            expect(Option.getOrThrow(yield* q.get("d1")).delegated).toBe(true)
            expect((yield* q.counts).delegated).toBe(1)
            yield* q.removeMarker("d1")
            expect(Option.isNone(yield* q.readMarker("d1"))).toBe(true)
            expect((yield* q.listPending).map((t) => t.id).sort()).toEqual(["d1", "d2"])
          }),
        ),
    )

    it.effect("no marker for a task that is not pending (claimed locally first)", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("m1", "x\n")
          yield* q.claim("m1")
          expect(yield* q.createMarker(marker("m1"))).toBe(false)
          expect(Option.isNone(yield* q.readMarker("m1"))).toBe(true)
        }),
      ),
    )

    it.effect("release returns an active task to pending", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("rel", "x\n")
          yield* q.claim("rel")
          expect(yield* q.release("rel")).toBe(true)
          expect(yield* q.release("rel")).toBe(false)
          expect((yield* q.listPending).map((t) => t.id)).toEqual(["rel"])
        }),
      ),
    )

    it.effect(
      "fileMany files a batch into done/ and failed/, drops markers when asked, reports a missing task",
      () =>
        run(
          Effect.gen(function* () {
            const q = yield* TaskQueue
            for (const id of ["b1", "b2", "b3", "b4"]) yield* q.enqueue(id, `task ${id}\n`)
            for (const id of ["b1", "b2"]) yield* q.createMarker(marker(id, { job_id: `job-${id}` }))
            yield* q.claim("b4")
            const { session: _, attempt: __, ...local } = footer()
            const delegated = { ...local, route: "delegated" as const, provider: "gemini" }
            const results = yield* q.fileMany([
              { id: "b1", into: "done", footer: { ...delegated, text: "one" }, dropMarker: true },
              {
                id: "b2",
                into: "failed",
                footer: { ...delegated, status: "failed", error: "no" },
                dropMarker: true,
              },
              { id: "gone", into: "done", footer: delegated, dropMarker: true },
              { id: "b4", into: "done", footer: footer() },
            ])
            expect(results.map((r) => (Either.isRight(r) ? "filed" : r.left._tag))).toEqual([
              "filed",
              "filed",
              "TaskNotFound",
              "filed",
            ])
            const b1 = Option.getOrThrow(yield* q.get("b1"))
            expect(b1.state).toBe("done")
            expect(parseFooter(b1.text)).toMatchObject({ original: "task b1\n", footer: { text: "one" } })
            expect(parseFooter(Option.getOrThrow(yield* q.get("b2")).text)?.footer.error).toBe("no")
            expect(Option.getOrThrow(yield* q.get("b4")).state).toBe("done")
            expect(yield* q.listMarkers).toEqual([])
            expect(yield* q.counts).toEqual({ pending: 1, active: 0, done: 2, failed: 1, delegated: 0 })
            // Filed once: a second filing of the same tasks finds nothing to move.
            const again = yield* q.fileMany([{ id: "b1", into: "done", footer: delegated }])
            expect(Either.isLeft(again[0]!) && again[0].left._tag).toBe("TaskNotFound")
          }),
        ),
    )

    it.effect("counts per state", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          for (const id of ["a", "b", "c", "d"]) yield* q.enqueue(id, "x\n")
          yield* q.claim("a")
          yield* q.claim("b")
          yield* q.complete("b", footer())
          yield* q.fail("c", footer({ status: "failed", error: "e" }))
          expect(yield* q.counts).toEqual({ pending: 1, active: 1, done: 1, failed: 1, delegated: 0 })
        }),
      ),
    )

    finishedTaskContract(run)
  })
