// One task file into the queue (TaskFileImport.ts, behind `ccl queue import` and the daemon's inbox): two importers
// racing on the same files (two daemons on one inbox) queue each task once and remove each file, on the file queue
// and on Postgres. The outcomes of single imports are tested through the CLI (test/cli/queue-import-export.test.ts).

import { existsSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { TaskQueuePg } from "../../src/layers/TaskQueuePg.js"
import { importTaskFile } from "../../src/programs/TaskFileImport.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { tempDir } from "../support/tempDir.js"

const FILES = 20

/** Two importers at once on each of FILES files: every task queued once, every file gone. */
const race = (queue: Layer.Layer<TaskQueue>) =>
  Effect.gen(function* () {
    const inbox = path.join(tempDir(), "inbox")
    mkdirSync(inbox)
    const files = Array.from({ length: FILES }, (_, i) => path.join(inbox, `t${i}.md`))
    for (const [i, f] of files.entries()) writeFileSync(f, `Task number ${i}\n`)
    const outcomes = yield* Effect.forEach(
      files,
      (f) => Effect.all([importTaskFile(f), importTaskFile(f)], { concurrency: 2 }),
      { concurrency: 4 },
    )
    for (const [a, b] of outcomes) {
      const tags = [a._tag, b._tag].sort()
      // One queued it; the other found it queued (Present) or its file gone (Gone): never two imports.
      expect(tags.filter((t) => t === "Imported")).toHaveLength(1)
      expect(["Gone", "Present"]).toContain(tags.find((t) => t !== "Imported"))
    }
    for (const f of files) expect(existsSync(f)).toBe(false)
    const q = yield* TaskQueue
    const pending = yield* q.list("pending")
    expect(pending.map((t) => t.id).sort()).toEqual(files.map((f) => path.basename(f, ".md")).sort())
  }).pipe(Effect.provide(Layer.merge(queue, NodeFileSystem.layer)))

describe("importTaskFile: two importers on the same files", () => {
  it.live("file queue: each task once, each file removed", () =>
    race(TaskQueueFs(path.join(tempDir(), "queue")).pipe(Layer.provide(NodeFileSystem.layer))),
  )
})

describePg("importTaskFile on Postgres: two importers on the same files", () => {
  it.live("each task once, each file removed", () =>
    race(
      Layer.orDie(
        TaskQueuePg({ url: pgDatabase("file_import_race"), node: "test", leaseMs: 60_000, maxAttempts: 3 }),
      ),
    ),
  )
})
