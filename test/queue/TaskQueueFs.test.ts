import {
  existsSync,
  linkSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs"
import * as path from "node:path"
import { SystemError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Layer, Option, TestClock } from "effect"
import { appendFooter, parseFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { RESYNC_AFTER_MS } from "../../src/layers/TaskQueueFsRecent.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { tempDir } from "../support/tempDir.js"
import { footer, marker, taskContract } from "./contract.js"

const fsQueue = (root: string) => TaskQueueFs(root).pipe(Layer.provide(NodeFileSystem.layer))

taskContract("filesystem", () => fsQueue(path.join(tempDir(), "queue")))

const withQueue = <A, E>(root: string, effect: Effect.Effect<A, E, TaskQueue>) =>
  Effect.provide(effect, fsQueue(root))

const write = (p: string, text: string, mtimeSec?: number) => {
  writeFileSync(p, text)
  if (mtimeSec !== undefined) utimesSync(p, mtimeSec, mtimeSec)
}

describe("TaskQueueFs", () => {
  it.effect(
    "creates tmp/ pending/ active/ done/ failed/ as 0700 and task files as 0600, whatever the umask",
    () => {
      const root = path.join(tempDir(), "q")
      const old = process.umask(0o000)
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("perm", "x\n")
          for (const d of ["tmp", "pending", "active", "done", "failed"]) {
            expect(statSync(path.join(root, d)).mode & 0o777).toBe(0o700)
          }
          expect(statSync(path.join(root, "pending", "perm.md")).mode & 0o777).toBe(0o600)
          expect(readdirSync(path.join(root, "tmp"))).toEqual([])
        }),
      ).pipe(Effect.ensuring(Effect.sync(() => process.umask(old))))
    },
  )

  it.effect("orders by priority, then enqueue time (mtime), then id; ignores editor and temp files", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.counts // creates the folders
        const p = (n: string) => path.join(root, "pending", n)
        write(p("b-old.md"), "x\n", 1_000)
        write(p("a-new.md"), "x\n", 2_000)
        write(p("c-same.md"), "x\n", 2_000)
        write(p("urgent.md"), "---\npriority: 7\n---\nx\n", 3_000)
        for (const junk of [
          ".hidden.md",
          "note.md.swp",
          "note.md~",
          "4913",
          "x.tmp",
          "-dash.md",
          "sp ace.md",
        ]) {
          write(p(junk), "---\npriority: oops\n---\n")
        }
        const ids = (yield* q.listPending).map((t) => t.id)
        expect(ids).toEqual(["urgent", "b-old", "a-new", "c-same"])
        // Junk is neither listed nor failed: it is not a task.
        expect(readdirSync(path.join(root, "failed"))).toEqual([])
        expect(existsSync(p("note.md.swp"))).toBe(true)
      }),
    )
  })

  it.effect("a task added after a scan is picked up (the index sees new names)", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("first", "x\n")
        expect((yield* q.listPending).map((t) => t.id)).toEqual(["first"])
        yield* q.enqueue("second", "---\npriority: 2\n---\nx\n")
        expect((yield* q.listPending).map((t) => t.id)).toEqual(["second", "first"])
        yield* q.claim("second")
        expect((yield* q.listPending).map((t) => t.id)).toEqual(["first"])
      }),
    )
  })

  it.effect(
    "bad files dropped into pending/ go to failed/ with the reason, the first time the queue reads them",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.counts
          const p = (n: string) => path.join(root, "pending", n)
          write(p("badyaml.md"), "---\npriority: [1\n---\nx\n")
          write(p("badtype.md"), "---\nallow_delegation: maybe\n---\nx\n")
          write(p("huge.md"), `---\n---\n${"x".repeat(5 * 1024 * 1024)}`)
          write(p("good.md"), "fine\n")
          const ids = (yield* q.listPending).map((t) => t.id)
          expect(ids).toEqual(["good"])
          const reasons = Object.fromEntries(
            ["badyaml", "badtype", "huge"].map((id) => [
              id,
              parseFooter(readFileSync(path.join(root, "failed", `${id}.md`), "utf8"))?.footer.error,
            ]),
          )
          expect(reasons.badyaml).toContain("not valid YAML")
          expect(reasons.badtype).toContain('"allow_delegation"')
          expect(reasons.badtype).toContain('"maybe"')
          expect(reasons.huge).toContain("MiB limit")
          // The original text is kept whole above the footer.
          const failedText = readFileSync(path.join(root, "failed", "badtype.md"), "utf8")
          expect(parseFooter(failedText)?.original).toBe("---\nallow_delegation: maybe\n---\nx\n")
          expect(readdirSync(path.join(root, "pending"))).toEqual(["good.md"])
        }),
      )
    },
  )

  it.effect("20 fibers claiming the same task: exactly one wins", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("race", "x\n")
        const wins = yield* Effect.forEach(Array.from({ length: 20 }), () => q.claim("race"), {
          concurrency: "unbounded",
        })
        expect(wins.filter(Boolean)).toHaveLength(1)
        expect(readdirSync(path.join(root, "active"))).toEqual(["race.md"])
      }),
    )
  })

  it.effect("two queue instances (two processes' worth) racing for claims: each task won once", () => {
    const root = path.join(tempDir(), "q")
    return Effect.gen(function* () {
      const ids = Array.from({ length: 30 }, (_, i) => `t${i}`)
      yield* withQueue(
        root,
        Effect.forEach(ids, (id) => Effect.flatMap(TaskQueue, (q) => q.enqueue(id, "x\n"))),
      )
      const claimAll = withQueue(
        root,
        Effect.flatMap(TaskQueue, (q) => Effect.forEach(ids, (id) => q.claim(id), { concurrency: 8 })),
      )
      const [a, b] = yield* Effect.all([claimAll, claimAll], { concurrency: 2 })
      for (let i = 0; i < ids.length; i++) expect(Number(a[i]) + Number(b[i])).toBe(1)
    })
  })

  it.effect("complete never overwrites a file in done/: a clash keeps both", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("same", "first\n")
        yield* q.claim("same")
        yield* q.complete("same", footer({ text: "one" }))
        // A second task with the same id reaches active/ by hand (enqueue would refuse it).
        writeFileSync(path.join(root, "active", "same.md"), "second\n")
        const landed = yield* q.complete("same", footer({ text: "two" }))
        expect(path.basename(landed)).toBe("same.dup-1.md")
        expect(parseFooter(readFileSync(path.join(root, "done", "same.md"), "utf8"))?.original).toBe(
          "first\n",
        )
        expect(parseFooter(readFileSync(landed, "utf8"))?.original).toBe("second\n")
      }),
    )
  })

  it.effect("a corrupt marker is a typed error naming the file", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("mk", "x\n")
        writeFileSync(path.join(root, "pending", "mk.md.delegated"), "{not json")
        const err = yield* Effect.flip(q.readMarker("mk"))
        expect(err).toMatchObject({ _tag: "MarkerCorrupt", id: "mk" })
        expect(statSync(path.join(root, "pending", "mk.md")).isFile()).toBe(true)
      }),
    )
  })

  it.effect("markers are created 0600 and hold the JSON of DESIGN.md", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue("mj", "x\n")
        yield* q.createMarker(marker("mj"))
        const p = path.join(root, "pending", "mj.md.delegated")
        expect(statSync(p).mode & 0o777).toBe(0o600)
        expect(JSON.parse(readFileSync(p, "utf8"))).toEqual(marker("mj"))
      }),
    )
  })
})

describe("TaskQueueFs recovery of interrupted moves", () => {
  const setup = (root: string, id: string, text: string) =>
    withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.enqueue(id, text)
        return q
      }),
    )
  const finished = (text: string) => appendFooter(text, footer({ text: "result" }))

  it.effect(
    "a release cut between its link and its unlink (fault 20): recover keeps the pending copy, the task runs again",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* setup(root, "r1", "task\n")
          expect(yield* q.claim("r1")).toBe(true)
          // The crash state: pending/ linked, active/ not yet removed.
          linkSync(path.join(root, "active", "r1.md"), path.join(root, "pending", "r1.md"))
          const report = yield* q.recover
          expect(report.finishedMoves).toEqual(["r1"])
          expect(readdirSync(path.join(root, "active"))).toEqual([])
          expect(readdirSync(path.join(root, "pending"))).toEqual(["r1.md"])
          expect(yield* q.claim("r1")).toBe(true)
        }),
      )
    },
  )

  it.effect("release after a release cut short: finishes the move instead of failing", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* setup(root, "r2", "task\n")
        expect(yield* q.claim("r2")).toBe(true)
        linkSync(path.join(root, "active", "r2.md"), path.join(root, "pending", "r2.md"))
        expect(yield* q.release("r2")).toBe(true)
        expect(readdirSync(path.join(root, "active"))).toEqual([])
        expect(readdirSync(path.join(root, "pending"))).toEqual(["r2.md"])
      }),
    )
  })

  it.effect(
    "a staging file of a live writer (another process mid-move) is left alone (issue 11, point 7)",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* setup(root, "live0", "task\n")
          // `ccl queue add` (our parent process here: alive) has written its staging file, not linked it yet.
          const live = `pending.live1.${process.ppid}-1.tmp`
          writeFileSync(path.join(root, "tmp", live), "being added\n")
          // A dead writer's staging file is finished as before.
          const dead = "pending.dead1.99999999-1.tmp"
          writeFileSync(path.join(root, "tmp", dead), "left by a crash\n")
          const report = yield* q.recover
          expect(readdirSync(path.join(root, "tmp"))).toEqual([live])
          expect(report.finishedEnqueues).toEqual(["dead1"])
          expect(readdirSync(path.join(root, "pending")).sort()).toEqual(["dead1.md", "live0.md"])
        }),
      )
    },
  )

  it.effect("staging written, nothing linked: staging dropped, source intact, the move can be redone", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        yield* setup(root, "s1", "task\n")
        writeFileSync(path.join(root, "tmp", "done.s1.99999999-1.tmp"), finished("task\n"))
        const report = yield* Effect.flatMap(TaskQueue, (q) => q.recover)
        expect(report.droppedStaging).toEqual(["done.s1.99999999-1.tmp"])
        expect(readdirSync(path.join(root, "tmp"))).toEqual([])
        expect(readdirSync(path.join(root, "pending"))).toEqual(["s1.md"])
        expect(readdirSync(path.join(root, "done"))).toEqual([])
      }),
    )
  })

  it.effect(
    "done/ linked but staging and source still there: one done copy, source and staging removed",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          yield* setup(root, "s2", "task\n")
          writeFileSync(path.join(root, "tmp", "done.s2.99999999-2.tmp"), finished("task\n"))
          writeFileSync(path.join(root, "done", "s2.md"), finished("task\n"))
          const report = yield* Effect.flatMap(TaskQueue, (q) => q.recover)
          expect(report.finishedMoves).toEqual(["s2"])
          expect(readdirSync(path.join(root, "tmp"))).toEqual([])
          expect(readdirSync(path.join(root, "pending"))).toEqual([])
          expect(readdirSync(path.join(root, "done"))).toEqual(["s2.md"])
        }),
      )
    },
  )

  it.effect(
    "done/ written, staging gone, source still in active/: source removed after checking it matches",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* setup(root, "s3", "task\n")
          yield* q.claim("s3")
          writeFileSync(path.join(root, "done", "s3.md"), finished("task\n"))
          writeFileSync(path.join(root, "pending", "s3.md.delegated"), JSON.stringify(marker("s3")))
          yield* Effect.flatMap(TaskQueue, (qq) => qq.recover)
          expect(readdirSync(path.join(root, "active"))).toEqual([])
          expect(readdirSync(path.join(root, "pending"))).toEqual([]) // the stale marker went too
          expect(readdirSync(path.join(root, "done"))).toEqual(["s3.md"])
        }),
      )
    },
  )

  it.effect("a source that differs from what done/ holds is never removed", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        yield* setup(root, "s4", "a new task with a reused id\n")
        writeFileSync(path.join(root, "done", "s4.md"), finished("an older task\n"))
        yield* Effect.flatMap(TaskQueue, (q) => q.recover)
        expect(readdirSync(path.join(root, "pending"))).toEqual(["s4.md"])
      }),
    )
  })

  it.effect("an enqueue interrupted after staging is rolled forward into pending/", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* TaskQueue
        yield* q.counts
        writeFileSync(path.join(root, "tmp", "pending.late.99999999-3.tmp"), "late task\n")
        const report = yield* q.recover
        expect(report.finishedEnqueues).toEqual(["late"])
        expect((yield* q.listPending).map((t) => t.id)).toEqual(["late"])
        expect(readdirSync(path.join(root, "tmp"))).toEqual([])
      }),
    )
  })

  it.effect(
    "a marker rewrite staged but not renamed wins over the older marker (it holds the job id)",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* setup(root, "mk", "x\n")
          yield* q.createMarker(marker("mk"))
          writeFileSync(
            path.join(root, "tmp", "marker.mk.99999999-4.tmp"),
            JSON.stringify(marker("mk", { job_id: "J1" })),
          )
          yield* q.recover
          expect(Option.getOrThrow(yield* q.readMarker("mk")).job_id).toBe("J1")
        }),
      )
    },
  )

  it.effect("running recover on a clean queue changes nothing", () => {
    const root = path.join(tempDir(), "q")
    return withQueue(
      root,
      Effect.gen(function* () {
        const q = yield* setup(root, "c1", "x\n")
        yield* q.enqueue("c2", "y\n")
        yield* q.claim("c2")
        yield* q.complete("c2", footer())
        const report = yield* q.recover
        expect(report).toEqual({ finishedMoves: [], finishedEnqueues: [], droppedStaging: [] })
        expect(readdirSync(path.join(root, "pending"))).toEqual(["c1.md"])
        expect(readdirSync(path.join(root, "done"))).toEqual(["c2.md"])
      }),
    )
  })
})

describe("TaskQueueFs when the disk is full", () => {
  // The real filesystem, except that writing into tmp/ fails with ENOSPC.
  const fullDisk = Layer.effect(
    FileSystem.FileSystem,
    Effect.map(FileSystem.FileSystem, (real) => ({
      ...real,
      open: (p: string, options?: FileSystem.OpenFileOptions) =>
        p.includes(`${path.sep}tmp${path.sep}`)
          ? Effect.fail(
              new SystemError({
                reason: "Unknown",
                module: "FileSystem",
                method: "open",
                pathOrDescriptor: p,
                description: "ENOSPC: no space left on device",
              }),
            )
          : real.open(p, options),
    })),
  ).pipe(Layer.provide(NodeFileSystem.layer))

  it.effect("complete fails with a QueueIOError and the task stays where it was", () => {
    const root = path.join(tempDir(), "q")
    return Effect.gen(function* () {
      yield* withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* TaskQueue
          yield* q.enqueue("full", "x\n")
          yield* q.claim("full")
        }),
      )
      const err = yield* Effect.flip(
        Effect.flatMap(TaskQueue, (q) => q.complete("full", footer())).pipe(
          Effect.provide(TaskQueueFs(root).pipe(Layer.provide(fullDisk))),
        ),
      )
      expect(err._tag).toBe("QueueIOError")
      expect(String((err as { message: string }).message)).toContain("ENOSPC")
      expect(readdirSync(path.join(root, "active"))).toEqual(["full.md"])
      expect(readdirSync(path.join(root, "done"))).toEqual([])
    })
  })

  it.effect(
    "a marker cannot be written: the error is reported and the task stays pending, undelegated",
    () => {
      const root = path.join(tempDir(), "q")
      return Effect.gen(function* () {
        yield* withQueue(
          root,
          Effect.flatMap(TaskQueue, (q) => q.enqueue("mfull", "x\n")),
        )
        const err = yield* Effect.flip(
          Effect.flatMap(TaskQueue, (q) => q.updateMarker(marker("mfull"))).pipe(
            Effect.provide(TaskQueueFs(root).pipe(Layer.provide(fullDisk))),
          ),
        )
        expect(err._tag).toBe("QueueIOError")
        expect(readdirSync(path.join(root, "pending"))).toEqual(["mfull.md"])
      })
    },
  )
})

describe("TaskQueueFs with a watch on pending/ (the daemon's mode)", () => {
  const watched = (root: string) =>
    TaskQueueFs(root, { watch: true }).pipe(Layer.provide(NodeFileSystem.layer))
  const settle = Effect.sleep("150 millis")

  it.live("sees tasks renamed in, claimed and delegated by other processes", () => {
    const root = path.join(tempDir(), "q")
    return Effect.gen(function* () {
      const q = yield* TaskQueue
      yield* q.enqueue("mine", "x\n")
      expect((yield* q.listPending).map((t) => t.id)).toEqual(["mine"])
      // Another writer: stage and rename in, as `ccl queue add` in another process does.
      writeFileSync(path.join(root, "tmp", "theirs.md"), "---\npriority: 5\n---\ny\n")
      renameSync(path.join(root, "tmp", "theirs.md"), path.join(root, "pending", "theirs.md"))
      yield* settle
      expect((yield* q.listPending).map((t) => t.id)).toEqual(["theirs", "mine"])
      // Another process claims "theirs" and delegates "mine".
      renameSync(path.join(root, "pending", "theirs.md"), path.join(root, "active", "theirs.md"))
      writeFileSync(path.join(root, "pending", "mine.md.delegated"), JSON.stringify(marker("mine")))
      yield* settle
      expect(yield* q.listPending).toEqual([])
      rmSync(path.join(root, "pending", "mine.md.delegated"))
      yield* settle
      expect((yield* q.listPending).map((t) => t.id)).toEqual(["mine"])
    }).pipe(Effect.provide(watched(root)))
  })

  it.live("a bad file arriving while watched goes to failed/", () => {
    const root = path.join(tempDir(), "q")
    return Effect.gen(function* () {
      const q = yield* TaskQueue
      expect(yield* q.listPending).toEqual([])
      writeFileSync(path.join(root, "tmp", "x"), "---\nneeds_claude_code: perhaps\n---\n")
      renameSync(path.join(root, "tmp", "x"), path.join(root, "pending", "late-bad.md"))
      yield* settle
      expect(yield* q.listPending).toEqual([])
      expect(readdirSync(path.join(root, "failed"))).toEqual(["late-bad.md"])
    }).pipe(Effect.provide(watched(root)))
  })
})

describe("TaskQueueFs recent results", () => {
  it.effect(
    "stats only new names between looks, and starts afresh after a pause (another process's refiling)",
    () => {
      const root = path.join(tempDir(), "q")
      return withQueue(
        root,
        Effect.gen(function* () {
          const q = yield* TaskQueue
          const base = Math.floor(Date.now() / 1000) - 100
          for (const [i, id] of ["a", "b", "c"].entries()) {
            yield* q.enqueue(id, `${id}\n`)
            yield* q.complete(id, footer())
            utimesSync(path.join(root, "done", `${id}.md`), base + i, base + i)
          }
          const recent = Effect.map(q.recent(10), (rows) => rows.map((r) => r.id))
          expect(yield* recent).toEqual(["c", "b", "a"])
          // Another process files "d" and takes "b" away: the next look sees both without a pause.
          write(path.join(root, "failed", "d.md"), "d\n", base + 50)
          rmSync(path.join(root, "done", "b.md"))
          expect(yield* recent).toEqual(["d", "c", "a"])
          // It files "a" again under the same name: unseen by names alone, seen once the remembered times lapse.
          utimesSync(path.join(root, "done", "a.md"), base + 60, base + 60)
          yield* TestClock.adjust(Duration.millis(RESYNC_AFTER_MS + 1))
          expect(yield* recent).toEqual(["a", "d", "c"])
        }),
      )
    },
  )
})
