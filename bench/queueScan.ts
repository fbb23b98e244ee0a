import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect } from "effect"
import { makeTaskQueueFs } from "../src/layers/TaskQueueFs.js"
import { median, round, timeMs } from "./stats.js"
import type { BenchResult } from "./types.js"

const SIZES = [1_000, 10_000, 100_000]
const PICKS = 9

const fill = (root: string, n: number) => {
  const pending = path.join(root, "pending")
  for (const d of ["tmp", "pending", "active", "done", "failed"])
    mkdirSync(path.join(root, d), { recursive: true })
  const base = Math.floor(Date.now() / 1000) - n
  for (let i = 0; i < n; i++) {
    const p = path.join(pending, `task-${i}.md`)
    writeFileSync(
      p,
      `---\npriority: ${i % 10}\ncomplexity_hint: low\n---\nTask number ${i}: do something useful.\n`,
    )
    utimesSync(p, base + i, base + i)
  }
}

const run = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.promise(() => timeMs(() => Effect.runPromise(effect)))

/**
 * Index N pending tasks from a cold start (a fresh process), then pick the next task after one more arrives
 * from outside (written and renamed in by another writer, seen through the watch, as the daemon runs).
 */
const measure = (n: number) =>
  Effect.gen(function* () {
    const root = mkdtempSync(path.join(tmpdir(), "ccl-bench-queue-"))
    try {
      fill(root, n)
      const queue = yield* makeTaskQueueFs(root, { watch: true })
      const indexMs = yield* run(
        Effect.map(queue.listPending, (l) => {
          if (l.length !== n) throw new Error(`indexed ${l.length} of ${n}`)
        }),
      )
      const picks: Array<number> = []
      for (let k = 0; k < PICKS; k++) {
        const id = `extra-${k}`
        writeFileSync(path.join(root, "tmp", `${id}.md`), "---\npriority: 99\n---\nurgent\n")
        renameSync(path.join(root, "tmp", `${id}.md`), path.join(root, "pending", `${id}.md`))
        yield* Effect.sleep("30 millis") // let the watch event arrive, as it would before the dispatcher wakes
        picks.push(
          yield* run(
            Effect.map(queue.listPending, (l) => {
              if (l[0]?.id !== id) throw new Error(`picked ${l[0]?.id}, expected ${id}`)
            }),
          ),
        )
        yield* queue.claim(id)
      }
      return { indexMs, pickMs: median(picks) }
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }).pipe(Effect.scoped, Effect.provide(NodeFileSystem.layer))

export const queueScan = async (): Promise<BenchResult> => {
  const figures: Record<string, number> = {}
  for (const n of SIZES) {
    const r = await Effect.runPromise(measure(n))
    figures[`index_${n}_ms`] = round(r.indexMs)
    figures[`pick_${n}_ms`] = round(r.pickMs, 2)
  }
  figures.index_growth_10k_to_100k = round(figures.index_100000_ms! / figures.index_10000_ms!, 2)
  figures.pick_growth_10k_to_100k = round(figures.pick_100000_ms! / figures.pick_10000_ms!, 2)
  return {
    name: "queue-scan",
    figures,
    budget: "index 10,000 <= 1000 ms; pick <= 5 ms",
    withinBudget: figures.index_10000_ms! <= 1000 && figures.pick_10000_ms! <= 5,
    note: "index = readdir + open/fstat/read + YAML parse per file; pick = the watched name only, then the cached order",
  }
}
