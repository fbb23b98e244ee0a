// `ccl queue import DIR` and `ccl queue export [--state S] DIR`: the built binary on real files (issue 16). Both go
// through the TaskQueue service only: on the file queue, and on a Postgres queue (the test run's private server).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { appendFooter, type ResultFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueuePg } from "../../src/layers/TaskQueuePg.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { runCcl } from "../support/cli.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { tempDir } from "../support/tempDir.js"

/** Each test runs the CLI a few times: a hang guard for a loaded machine, not a time budget. */
const HANG_GUARD = 120_000

const doneFooter: ResultFooter = {
  status: "completed",
  route: "local",
  provider: "claude-code",
  session: "ccl-pool-1",
  attempt: 1,
  finished_at: "2026-01-02T03:04:05.000Z",
}

/** A project (queue ./queue, or `queue` when given) and a folder of task files beside it. */
const project = (queue = "./queue") => {
  const dir = tempDir()
  writeFileSync(path.join(dir, "ccl.yaml"), `queue: ${queue}\nstate: ./state\n`)
  for (const d of ["tmp", "pending", "active", "done", "failed"])
    mkdirSync(path.join(dir, "queue", d), { recursive: true })
  const inbox = path.join(dir, "in")
  mkdirSync(inbox)
  const queued = (state: string, id: string) => path.join(dir, "queue", state, `${id}.md`)
  return {
    dir,
    inbox,
    queued,
    drop: (name: string, text: string) => writeFileSync(path.join(inbox, name), text),
    ls: (folder: string) => readdirSync(path.join(dir, folder)).sort(),
    ccl: (args: ReadonlyArray<string>) => runCcl(args, { cwd: dir }),
  }
}

describe("ccl queue import", () => {
  it(
    "enqueues every <id>.md and removes it; bad files stay, one line each, exit 2 at the end",
    () => {
      const p = project()
      p.drop("fix-parser.md", "---\npriority: 5\n---\nFix the parser\n")
      p.drop("write-docs.md", "Write the docs\n")
      p.drop("bad name.md", "A name that is no id\n")
      p.drop("empty.md", "  \n")
      p.drop("bad-priority.md", "---\npriority: high\n---\nx\n")
      p.drop("notes.txt", "not a task: ignored\n")
      p.drop(".hidden.md", "an editor's file: ignored\n")
      const r = p.ccl(["queue", "import", "in"])
      expect(r.code).toBe(2)
      expect(r.stdout.trimEnd().split("\n")).toEqual(["imported fix-parser", "imported write-docs"])
      const errors = r.stderr.trimEnd().split("\n")
      expect(errors).toHaveLength(4)
      expect(errors[0]).toMatch(
        /^ccl: in\/bad name\.md: task id "bad name" is invalid: .*rename the file; file kept$/,
      )
      expect(errors[1]).toMatch(/^ccl: in\/bad-priority\.md: task bad-priority: frontmatter field "priority"/)
      expect(errors[2]).toBe("ccl: in/empty.md: task empty is empty: write the prompt; file kept")
      expect(errors[3]).toMatch(/^ccl: 3 of 5 files not imported \(left in in\)/)
      expect(p.ls("queue/pending")).toEqual(["fix-parser.md", "write-docs.md"])
      expect(readFileSync(p.queued("pending", "fix-parser"), "utf8")).toBe(
        "---\npriority: 5\n---\nFix the parser\n",
      )
      expect(p.ls("in")).toEqual([".hidden.md", "bad name.md", "bad-priority.md", "empty.md", "notes.txt"])
    },
    HANG_GUARD,
  )

  it(
    "never adds a task twice: the same text already queued removes the file, another text keeps it",
    () => {
      const p = project()
      // An import cut short after the insert (the file still there), and a finished task of the same text.
      writeFileSync(p.queued("pending", "again"), "Run again\n")
      writeFileSync(p.queued("done", "finished"), appendFooter("Finished once\n", doneFooter))
      writeFileSync(p.queued("pending", "taken"), "The first task of this id\n")
      p.drop("again.md", "Run again\n")
      p.drop("finished.md", "Finished once\n")
      p.drop("taken.md", "Another task under a used id\n")
      const r = p.ccl(["queue", "import", "in", "--json"])
      expect(r.code).toBe(2)
      expect(JSON.parse(r.stdout)).toEqual([
        { id: "again", file: "in/again.md", status: "present", state: "pending" },
        { id: "finished", file: "in/finished.md", status: "present", state: "done" },
        { id: "taken", file: "in/taken.md", status: "exists", state: "pending" },
      ])
      expect(p.ls("in")).toEqual(["taken.md"])
      expect(p.ls("queue/pending")).toEqual(["again.md", "taken.md"])
      expect(readFileSync(p.queued("pending", "taken"), "utf8")).toBe("The first task of this id\n")
      // Run again: nothing new, the clash still reported.
      expect(p.ccl(["queue", "import", "in"]).code).toBe(2)
      expect(p.ls("queue/pending")).toEqual(["again.md", "taken.md"])
    },
    HANG_GUARD,
  )

  it(
    "an empty folder is fine; a missing one is bad usage",
    () => {
      const p = project()
      expect(p.ccl(["queue", "import", "in"])).toMatchObject({
        code: 0,
        stdout: "no *.md task files in in\n",
      })
      const r = p.ccl(["queue", "import", "nowhere"])
      expect(r.code).toBe(2)
      expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
      expect(r.stderr).toMatch(/^ccl: queue import: .*nowhere/)
    },
    HANG_GUARD,
  )
})

describe("ccl queue export", () => {
  it(
    "writes done/ (the default) as <id>.md files holding exactly what queue show prints",
    () => {
      const p = project()
      writeFileSync(p.queued("done", "d1"), appendFooter("First\n", doneFooter))
      writeFileSync(p.queued("done", "d2"), appendFooter("---\npriority: 1\n---\nSecond\n", doneFooter))
      writeFileSync(p.queued("pending", "p1"), "Not finished\n")
      const r = p.ccl(["queue", "export", "out"])
      expect(r.code).toBe(0)
      expect(r.stdout).toBe("exported d1\nexported d2\n2 tasks of done/ written to out\n")
      expect(p.ls("out")).toEqual(["d1.md", "d2.md"])
      for (const id of ["d1", "d2"]) {
        const shown = p.ccl(["queue", "show", id])
        expect(shown.code).toBe(0)
        const exported = readFileSync(path.join(p.dir, "out", `${id}.md`), "utf8")
        expect(shown.stdout).toBe(`# done: ${p.queued("done", id)}\n${exported}\n`)
      }
      // The queue is only read; no temp file is left beside the exports.
      expect(p.ls("queue/done")).toEqual(["d1.md", "d2.md"])
      expect(readdirSync(path.join(p.dir, "out")).some((n) => n.endsWith(".tmp"))).toBe(false)
    },
    HANG_GUARD,
  )

  it(
    "--state pending, then import into another queue: the same tasks, the same text",
    () => {
      const from = project()
      expect(from.ccl(["queue", "add", "--text", "Move me", "--id", "m1", "--priority", "3"]).code).toBe(0)
      expect(from.ccl(["queue", "add", "--text", "Me too", "--id", "m2"]).code).toBe(0)
      const out = path.join(from.dir, "moved")
      expect(from.ccl(["queue", "export", "--state", "pending", out, "--json"])).toMatchObject({ code: 0 })
      const to = project()
      const r = runCcl(["queue", "import", out], { cwd: to.dir })
      expect(r).toMatchObject({ code: 0, stdout: "imported m1\nimported m2\n" })
      expect(readdirSync(out)).toEqual([])
      for (const id of ["m1", "m2"])
        expect(readFileSync(to.queued("pending", id), "utf8")).toBe(
          readFileSync(from.queued("pending", id), "utf8"),
        )
    },
    HANG_GUARD,
  )

  it(
    "nothing in that state: says so, writes nothing",
    () => {
      const p = project()
      const r = p.ccl(["queue", "export", "--state", "failed", "out"])
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/^no tasks in failed\/ of .*: nothing written\n$/)
      expect(existsSync(path.join(p.dir, "out"))).toBe(false)
    },
    HANG_GUARD,
  )
})

describePg("ccl queue import / export on a Postgres queue", () => {
  /** The queue's tasks of one state, by the CLI. */
  const ids = (p: ReturnType<typeof project>, state: string) =>
    (JSON.parse(p.ccl(["queue", "list", "--state", state, "--json"]).stdout) as Array<{ id: string }>).map(
      (t) => t.id,
    )

  it(
    "imports files once (a second import finds them present), exports done tasks as queue show prints them",
    async () => {
      const url = pgDatabase("import_export")
      const p = project(url)
      p.drop("fix-parser.md", "---\npriority: 5\n---\nFix the parser\n")
      p.drop("bad-priority.md", "---\npriority: high\n---\nx\n")
      const r = p.ccl(["queue", "import", "in"])
      expect(r.code, r.stderr).toBe(2)
      expect(r.stdout).toBe("imported fix-parser\n")
      expect(r.stderr).toMatch(/^ccl: in\/bad-priority\.md: task bad-priority: frontmatter field "priority"/)
      expect(p.ls("in")).toEqual(["bad-priority.md"])
      expect(ids(p, "pending")).toEqual(["fix-parser"])
      // Finished in the queue (as a daemon would), then exported: the file is what queue show prints.
      await Effect.runPromise(
        Effect.gen(function* () {
          const queue = yield* TaskQueue
          expect(yield* queue.claim("fix-parser")).toBe(true)
          yield* queue.complete("fix-parser", doneFooter)
        }).pipe(
          Effect.provide(Layer.orDie(TaskQueuePg({ url, node: "test", leaseMs: 60_000, maxAttempts: 3 }))),
        ),
      )
      const exported = p.ccl(["queue", "export", "out"])
      expect(exported.code, exported.stderr).toBe(0)
      expect(exported.stdout).toBe("exported fix-parser\n1 task of done/ written to out\n")
      const text = readFileSync(path.join(p.dir, "out", "fix-parser.md"), "utf8")
      expect(text).toMatch(/^---\npriority: 5\n---\nFix the parser\n\n<!-- ccl:result -->\n/)
      const shown = p.ccl(["queue", "show", "fix-parser"])
      expect(shown.stdout.slice(shown.stdout.indexOf("\n") + 1)).toBe(`${text}\n`)
      // The export imported again: the same task, already done: not added twice, the file removed.
      const again = runCcl(["queue", "import", "out"], { cwd: p.dir })
      expect(again).toMatchObject({ code: 0, stderr: "" })
      expect(again.stdout).toMatch(/^fix-parser: already in done\/ with the same text: not added again/)
      expect(ids(p, "done")).toEqual(["fix-parser"])
      expect(ids(p, "pending")).toEqual([])
    },
    HANG_GUARD,
  )
})
