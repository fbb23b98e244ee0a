// requeue (a retry: failed -> pending, the footer kept as history) and remove (done/ or failed/ only), on both
// layers, and the recovery of a retry cut at each step.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { parseTask } from "../../src/domain/Frontmatter.js"
import { appendFooter, footerAsHistory, HISTORY_MARKER, parseFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { TaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { tempDir } from "../support/tempDir.js"
import { footer } from "./contract.js"

const fsQueue = (root: string) => TaskQueueFs(root).pipe(Layer.provide(NodeFileSystem.layer))
const TEXT = "---\npriority: 2\n---\nFix the parser\n"
const failedFooter = footer({ status: "failed", cause: "timeout", error: "timed out after 2h" })

const layers: ReadonlyArray<[string, () => Layer.Layer<TaskQueue>]> = [
  ["filesystem", () => fsQueue(path.join(tempDir(), "queue"))],
  ["memory", () => TaskQueueMemory()],
]

for (const [name, makeLayer] of layers) {
  describe(`TaskQueue requeue and remove: ${name}`, () => {
    const run = <A, E>(effect: Effect.Effect<A, E, TaskQueue>) => Effect.provide(effect, makeLayer())

    it.effect(
      "requeue: failed -> pending, the footer kept as history; the prompt and the next footer are clean",
      () =>
        run(
          Effect.gen(function* () {
            const q = yield* TaskQueue
            yield* q.enqueue("r1", TEXT)
            yield* q.claim("r1")
            yield* q.fail("r1", failedFooter)
            yield* q.requeue("r1")
            const stored = (yield* q.get("r1")).pipe((o) => (o._tag === "Some" ? o.value : undefined))
            expect(stored?.state).toBe("pending")
            expect(stored?.text).toBe(footerAsHistory(appendFooter(TEXT, failedFooter)))
            expect(stored?.text).toContain(`\n${HISTORY_MARKER}\n`)
            expect(stored?.text).toContain("error: timed out after 2h")
            // Not a finished task any more: no footer is found in it.
            expect(parseFooter(stored!.text)).toBeUndefined()
            // Dispatched with the original prompt only, at its priority.
            const [pending] = yield* q.listPending
            expect(pending).toMatchObject({ id: "r1", priority: 2, body: "Fix the parser\n" })
            // Run again and done: the new footer is the one found; the original text keeps the history.
            yield* q.claim("r1")
            yield* q.complete("r1", footer())
            const done = yield* q.get("r1")
            const parsed = parseFooter(done._tag === "Some" ? done.value.text : "")
            expect(parsed?.footer.status).toBe("completed")
            expect(parsed?.original).toBe(stored?.text)
            // What the retried run was given: the original prompt, whatever history follows it.
            expect(parseTask(parsed!.original)).toMatchObject({ right: { body: "Fix the parser\n" } })
          }),
        ),
    )

    it.effect("requeue refuses a task elsewhere (naming where) and an unknown one; nothing moves", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("p1", TEXT)
          yield* q.enqueue("d1", TEXT)
          yield* q.claim("d1")
          yield* q.complete("d1", footer())
          expect(yield* Effect.flip(q.requeue("p1"))).toMatchObject({
            _tag: "TaskElsewhere",
            state: "pending",
          })
          expect(yield* Effect.flip(q.requeue("d1"))).toMatchObject({ _tag: "TaskElsewhere", state: "done" })
          expect(yield* Effect.flip(q.requeue("nope"))).toMatchObject({ _tag: "TaskNotFound" })
          expect(yield* q.counts).toMatchObject({ pending: 1, done: 1, failed: 0 })
        }),
      ),
    )

    it.effect("remove deletes from done/ and failed/ only", () =>
      run(
        Effect.gen(function* () {
          const q = yield* TaskQueue
          for (const id of ["a", "b", "c", "d"]) yield* q.enqueue(id, TEXT)
          yield* q.claim("a")
          yield* q.complete("a", footer())
          yield* q.fail("b", failedFooter)
          yield* q.claim("c")
          expect(yield* q.remove("a")).toBe("done")
          expect(yield* q.remove("b")).toBe("failed")
          expect(yield* Effect.flip(q.remove("c"))).toMatchObject({ _tag: "TaskElsewhere", state: "active" })
          expect(yield* Effect.flip(q.remove("d"))).toMatchObject({ _tag: "TaskElsewhere", state: "pending" })
          expect(yield* Effect.flip(q.remove("a"))).toMatchObject({ _tag: "TaskNotFound" })
          expect(yield* q.counts).toMatchObject({ pending: 1, active: 1, done: 0, failed: 0 })
        }),
      ),
    )
  })
}

describe("TaskQueueFs: a retry cut by a crash", () => {
  /** A queue with r1 failed; returns its root and the texts of failed/ and of the retry. */
  const failedTask = (root: string) =>
    Effect.provide(
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("r1", TEXT)
        yield* q.claim("r1")
        yield* q.fail("r1", failedFooter)
      }),
      fsQueue(root),
    ).pipe(
      Effect.map(() => {
        const failed = readFileSync(path.join(root, "failed", "r1.md"), "utf8")
        return { failed, retried: footerAsHistory(failed)! }
      }),
    )
  const recover = (root: string) =>
    Effect.provide(
      Effect.flatMap(TaskQueue, (q) => q.recover),
      fsQueue(root),
    )
  const ls = (root: string, dir: string) => readdirSync(path.join(root, dir)).sort()

  it.effect(
    "staged, not linked: recover drops the staging, the task stays in failed/ (the retry not done)",
    () => {
      const root = path.join(tempDir(), "q")
      return Effect.gen(function* () {
        const { retried } = yield* failedTask(root)
        writeFileSync(path.join(root, "tmp", "pending.r1.99999999-1.tmp"), retried)
        yield* recover(root)
        expect(ls(root, "tmp")).toEqual([])
        expect(ls(root, "pending")).toEqual([])
        expect(ls(root, "failed")).toEqual(["r1.md"])
      })
    },
  )

  it.effect(
    "linked into pending/, failed/ not unlinked: recover finishes the retry, it is not undone",
    () => {
      const root = path.join(tempDir(), "q")
      return Effect.gen(function* () {
        const { retried } = yield* failedTask(root)
        writeFileSync(path.join(root, "pending", "r1.md"), retried)
        const report = yield* recover(root)
        expect(report.finishedMoves).toContain("r1")
        expect(ls(root, "failed")).toEqual([])
        expect(readFileSync(path.join(root, "pending", "r1.md"), "utf8")).toBe(retried)
      })
    },
  )

  it.effect(
    "the retried copy already ran (active/, done/, or failed again as a dup): the stale failed/ copy goes",
    () =>
      Effect.gen(function* () {
        for (const where of ["active", "done", "dup"] as const) {
          const root = path.join(tempDir(), "q")
          const { retried } = yield* failedTask(root)
          if (where === "active") writeFileSync(path.join(root, "active", "r1.md"), retried)
          if (where === "done")
            writeFileSync(path.join(root, "done", "r1.md"), appendFooter(retried, footer()))
          if (where === "dup")
            writeFileSync(path.join(root, "failed", "r1.dup-1.md"), appendFooter(retried, failedFooter))
          yield* recover(root)
          expect(existsSync(path.join(root, "failed", "r1.md")), where).toBe(false)
          const kept = where === "dup" ? ["failed", "r1.dup-1.md"] : [where, "r1.md"]
          expect(ls(root, kept[0]!), where).toEqual([kept[1]])
        }
      }),
  )

  it.effect(
    "a failed/ copy with a different task of its id in pending/ is left alone; requeue refuses it",
    () => {
      const root = path.join(tempDir(), "q")
      return Effect.gen(function* () {
        yield* failedTask(root)
        writeFileSync(path.join(root, "pending", "r1.md"), "another task\n")
        yield* recover(root)
        expect(ls(root, "failed")).toEqual(["r1.md"])
        expect(ls(root, "pending")).toEqual(["r1.md"])
        const refused = yield* Effect.provide(
          Effect.flip(Effect.flatMap(TaskQueue, (q) => q.requeue("r1"))),
          fsQueue(root),
        )
        expect(refused).toMatchObject({ _tag: "TaskExists", state: "pending" })
      })
    },
  )

  it.effect("requeue after a cut one (same text already in pending/) finishes it instead of failing", () => {
    const root = path.join(tempDir(), "q")
    return Effect.gen(function* () {
      const { retried } = yield* failedTask(root)
      writeFileSync(path.join(root, "pending", "r1.md"), retried)
      yield* Effect.provide(
        Effect.flatMap(TaskQueue, (q) => q.requeue("r1")),
        fsQueue(root),
      )
      expect(ls(root, "failed")).toEqual([])
      expect(ls(root, "pending")).toEqual(["r1.md"])
    })
  })
})
