// fileMany cut by a crash at each of its steps (issue 12): the states are built by hand, as a process killed there
// (pid 99999999, not alive) leaves them; recover must finish or undo each, and a later filing must file every task
// exactly once.

import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer } from "effect"
import { appendFooter, parseFooter, type ResultFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { type Filing, TaskQueue } from "../../src/services/TaskQueue.js"
import { tempDir } from "../support/tempDir.js"
import { marker } from "./contract.js"

const IDS = ["j1", "j2", "j3"]
const text = (id: string) => `---\npreferred_ai: gemini\n---\nTask ${id}\n`
const result = (id: string): ResultFooter => ({
  status: "completed",
  route: "delegated",
  provider: "gemini",
  job_id: `job-${id}`,
  finished_at: "2026-12-02T10:00:00.000Z",
  text: `result of ${id}`,
})
const filings = (ids: ReadonlyArray<string>): Array<Filing> =>
  ids.map((id) => ({ id, into: "done", footer: result(id), dropMarker: true }))

/** A queue with three delegated tasks (task + marker in pending/); the crash state is then laid over it. */
const delegatedQueue = () =>
  Effect.gen(function* () {
    const q = yield* TaskQueue
    for (const id of IDS) {
      yield* q.enqueue(id, text(id))
      yield* q.createMarker(marker(id, { job_id: `job-${id}` }))
    }
    return q
  })

const ls = (root: string, dir: string) => readdirSync(path.join(root, dir)).sort()
const staging = (root: string, id: string, n: number) =>
  path.join(root, "tmp", `done.${id}.99999999-${n}.tmp`)
/** What step 1 of a batch leaves: every result written and synced in tmp/. */
const stageAll = (root: string) => {
  for (const [n, id] of IDS.entries()) writeFileSync(staging(root, id, n), appendFooter(text(id), result(id)))
}

/** Each task once in done/ with its own result, nothing left in pending/ or tmp/. */
/** A batch cut after its links: every result already in done/, the sources and markers still in pending/. */
const resultsLinked = (root: string) => {
  for (const id of IDS) writeFileSync(path.join(root, "done", `${id}.md`), appendFooter(text(id), result(id)))
}

const expectFiledOnce = (root: string) => {
  expect(ls(root, "done")).toEqual(IDS.map((id) => `${id}.md`))
  for (const id of IDS) {
    const parsed = parseFooter(readFileSync(path.join(root, "done", `${id}.md`), "utf8"))
    expect(parsed?.original).toBe(text(id))
    expect(parsed?.footer.text).toBe(`result of ${id}`)
  }
  expect(ls(root, "pending")).toEqual([])
  expect(ls(root, "tmp")).toEqual([])
}

const withQueue = <A, E>(root: string, effect: Effect.Effect<A, E, TaskQueue>) =>
  Effect.provide(effect, TaskQueueFs(root).pipe(Layer.provide(NodeFileSystem.layer)))

describe("TaskQueueFs fileMany cut by a crash", () => {
  it.effect("all staged, none linked: recover drops the staging, the next batch files each task once", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* delegatedQueue()
        stageAll(root)
        const report = yield* q.recover
        expect(report.droppedStaging).toHaveLength(3)
        expect(ls(root, "tmp")).toEqual([])
        expect(ls(root, "done")).toEqual([])
        expect(yield* q.listMarkers).toEqual(IDS) // still delegated: never offered to a local session
        const filed = yield* q.fileMany(filings(IDS))
        expect(filed.every(Either.isRight)).toBe(true)
        expectFiledOnce(root)
      }),
    )
  })

  it.effect("some linked, nothing unlinked: recover finishes those, drops the rest, which file once", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* delegatedQueue()
        stageAll(root)
        linkSync(staging(root, "j1", 0), path.join(root, "done", "j1.md"))
        linkSync(staging(root, "j2", 1), path.join(root, "done", "j2.md"))
        const report = yield* q.recover
        expect([...report.finishedMoves].sort()).toEqual(["j1", "j2"])
        expect(report.droppedStaging).toEqual([path.basename(staging(root, "j3", 2))])
        expect(ls(root, "pending")).toEqual(["j3.md", "j3.md.delegated"])
        // The reaper's next cycle sees only j3's marker left.
        const filed = yield* q.fileMany(filings(["j3"]))
        expect(filed.every(Either.isRight)).toBe(true)
        expectFiledOnce(root)
      }),
    )
  })

  it.effect("linked and synced, sources partly unlinked, markers left: recover removes the rest", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* delegatedQueue()
        resultsLinked(root)
        for (const id of ["j1", "j3"]) unlinkSync(path.join(root, "pending", `${id}.md`))
        expect(existsSync(path.join(root, "pending", "j2.md"))).toBe(true)
        const report = yield* q.recover
        expect(report.finishedMoves).toEqual(["j2"])
        expect(yield* q.listMarkers).toEqual([])
        expectFiledOnce(root)
      }),
    )
  })

  it.effect("linked but nothing removed (the folder sync failed), filed again: each task lands once", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* delegatedQueue()
        resultsLinked(root)
        const filed = yield* q.fileMany(filings(IDS))
        expect(filed.map((r) => Either.getOrThrow(r))).toEqual(
          IDS.map((id) => path.join(root, "done", `${id}.md`)),
        )
        expectFiledOnce(root)
        expect(yield* q.listMarkers).toEqual([])
      }),
    )
  })

  it.effect(
    "a different task already under the name in done/ is kept: the new result lands beside it",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* delegatedQueue()
          writeFileSync(path.join(root, "done", "j1.md"), appendFooter("an older task\n", result("j1")))
          const [first] = yield* q.fileMany(filings(["j1"]))
          expect(Either.getOrThrow(first!)).toBe(path.join(root, "done", "j1.dup-1.md"))
          expect(parseFooter(readFileSync(path.join(root, "done", "j1.md"), "utf8"))?.original).toBe(
            "an older task\n",
          )
        }),
      )
    },
  )

  it.effect(
    "a result that cannot be written leaves its task where it was; the rest of the batch is filed",
    () => {
      const root = path.join(tempDir(), "q")
      return Effect.gen(function* () {
        yield* withQueue(root, delegatedQueue())
        // A fresh queue instance (a new process) numbers its staging files from 1, in the batch's order: make
        // the first one impossible to create.
        mkdirSync(path.join(root, "tmp", `done.j1.${process.pid}-1.tmp`))
        const filed = yield* withQueue(
          root,
          Effect.flatMap(TaskQueue, (q) => q.fileMany(filings(IDS))),
        )
        expect(filed.map((r) => (Either.isRight(r) ? "filed" : r.left._tag))).toEqual([
          "QueueIOError",
          "filed",
          "filed",
        ])
        expect(ls(root, "done")).toEqual(["j2.md", "j3.md"])
        expect(ls(root, "pending")).toEqual(["j1.md", "j1.md.delegated"])
      })
    },
  )
})
