// The TaskQueue contract, continued (taskContract in contract.ts runs it): finished tasks retried or removed,
// where each task is.
import { expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { appendFooter, footerAsHistory } from "../../src/domain/ResultFooter.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { footer } from "./contract.js"

export const finishedTaskContract = (
  run: <A, E>(effect: Effect.Effect<A, E, TaskQueue>) => Effect.Effect<A, E, never>,
) => {
  it.effect(
    "requeue brings a failed task back with its footer as history; remove takes finished tasks only",
    () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("rq", "Try me\n")
          yield* q.fail("rq", footer({ status: "failed", error: "first run" }))
          const failedText = Option.getOrThrow(yield* q.get("rq")).text
          expect(failedText).toBe(appendFooter("Try me\n", footer({ status: "failed", error: "first run" })))
          yield* q.requeue("rq")
          const again = Option.getOrThrow(yield* q.get("rq"))
          expect(again.state).toBe("pending")
          expect(again.text).toBe(footerAsHistory(failedText))
          expect((yield* q.listPending).map((t) => t.body)).toEqual(["Try me\n"]) // the prompt stops before history
          expect(yield* Effect.flip(q.requeue("rq"))).toMatchObject({
            _tag: "TaskElsewhere",
            state: "pending",
          })
          expect(yield* Effect.flip(q.requeue("nope"))).toMatchObject({ _tag: "TaskNotFound" })
          expect(yield* Effect.flip(q.remove("rq"))).toMatchObject({
            _tag: "TaskElsewhere",
            state: "pending",
          })
          yield* q.claim("rq")
          yield* q.complete("rq", footer())
          expect(yield* q.remove("rq")).toBe("done")
          expect(Option.isNone(yield* q.get("rq"))).toBe(true)
          expect(yield* Effect.flip(q.remove("rq"))).toMatchObject({ _tag: "TaskNotFound" })
        }),
      ),
  )

  it.effect("locate and list say where each task is", () =>
    run(
      Effect.gen(function* () {
        const q = yield* TaskQueue
        for (const id of ["p", "a", "d"]) yield* q.enqueue(id, `${id}\n`)
        yield* q.claim("a")
        yield* q.claim("d")
        yield* q.complete("d", footer())
        expect(Option.getOrThrow(yield* q.locate("a"))).toBe("active")
        expect(Option.getOrThrow(yield* q.locate("d"))).toBe("done")
        expect(Option.isNone(yield* q.locate("x"))).toBe(true)
        const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id)
        expect(ids(yield* q.list("pending"))).toEqual(["p"])
        expect(ids(yield* q.list("active"))).toEqual(["a"])
        const done = yield* q.list("done")
        expect(ids(done)).toEqual(["d"])
        expect(done[0]!.state).toBe("done")
        expect(done[0]!.delegated).toBe(false)
      }),
    ),
  )

  it.effect("recent lists the last filed of done and failed, newest first, and nothing else", () =>
    run(
      Effect.gen(function* () {
        const q = yield* TaskQueue
        for (const id of ["f1", "f2", "f3", "f4", "left"]) yield* q.enqueue(id, `${id}\n`)
        yield* q.claim("left")
        // Filed in this order, apart by more than a file timestamp's granularity (a kernel tick), in real time.
        const apart = Effect.promise(() => new Promise((r) => setTimeout(r, 25)))
        yield* q.complete("f3", footer())
        yield* apart
        yield* q.fail("f1", footer({ status: "failed", error: "no" }))
        yield* apart
        yield* q.complete("f4", footer())
        yield* apart
        yield* q.claim("f2")
        yield* q.complete("f2", footer())
        const recent = (k: number) => Effect.map(q.recent(k), (rows) => rows.map((r) => `${r.state}:${r.id}`))
        expect(yield* recent(3)).toEqual(["done:f2", "done:f4", "failed:f1"])
        expect(yield* recent(50)).toEqual(["done:f2", "done:f4", "failed:f1", "done:f3"])
        expect(yield* recent(0)).toEqual([])
        // Retried and filed again, with no look in between: newest now, not where it was.
        yield* q.requeue("f1")
        yield* apart
        yield* q.claim("f1")
        yield* q.fail("f1", footer({ status: "failed", error: "again" }))
        expect(yield* recent(2)).toEqual(["failed:f1", "done:f2"])
        yield* q.requeue("f1")
        expect(yield* recent(50)).toEqual(["done:f2", "done:f4", "done:f3"])
      }),
    ),
  )
}
