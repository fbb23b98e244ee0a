// The queue's recent results (`TaskQueue.recent`, what the dashboard's /api/queue reads on every refresh) on a
// queue of 20,000 finished tasks (a tenth failed), file queue and Postgres: the 30 newest, and, for comparison,
// what the dashboard did before recent existed (every done and failed summary listed, sorted, cut to 30). The file
// queue's first call stats every finished file (TaskQueueFsRecent.ts); the later ones, within a minute, list names.

import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect } from "effect"
import { newestFinished } from "../src/domain/FinishedOrder.js"
import { makeTaskQueueFs } from "../src/layers/TaskQueueFs.js"
import type { TaskQueue } from "../src/services/TaskQueue.js"
import { freshDatabase } from "../test/support/postgres.js"
import { queueOn } from "./pgClaims.js"
import { psql, withPgServer } from "./pgServer.js"
import { median, round, timeMs } from "./stats.js"
import type { BenchResult } from "./types.js"

const FINISHED = 20_000
const RECENT = 30
const RUNS = 9
/** A task's text with its result footer, about the size of a real one. */
const TEXT = `${"Refactor the billing module and keep its tests green. ".repeat(20)}\n`

const stateOf = (i: number) => (i % 10 === 0 ? "failed" : "done")

/** Median ms of `recent(30)` and of the listing it replaces; both must give the same 30 tasks. */
const time = (q: TaskQueue["Type"]) =>
  Effect.gen(function* () {
    const listed = Effect.map(Effect.all([q.list("done"), q.list("failed")]), ([d, f]) =>
      newestFinished([...d, ...f], RECENT),
    )
    const ids = (rows: ReadonlyArray<{ id: string }>) => rows.map((r) => r.id).join(",")
    let first: ReadonlyArray<{ id: string }> = []
    const firstMs = yield* Effect.promise(() =>
      timeMs(async () => {
        first = await Effect.runPromise(q.recent(RECENT))
      }),
    )
    if (ids(first) !== ids(yield* listed)) throw new Error("recent and the listing differ")
    const recentMs: Array<number> = []
    const listMs: Array<number> = []
    for (let k = 0; k < RUNS; k++) {
      recentMs.push(yield* Effect.promise(() => timeMs(() => Effect.runPromise(q.recent(RECENT)))))
      listMs.push(yield* Effect.promise(() => timeMs(() => Effect.runPromise(listed))))
    }
    return { first: round(firstMs), recent: round(median(recentMs)), listing: round(median(listMs)) }
  })

const onFiles = () =>
  Effect.gen(function* () {
    const root = mkdtempSync(path.join(tmpdir(), "ccl-bench-recent-"))
    try {
      for (const d of ["tmp", "pending", "active", "done", "failed"]) mkdirSync(path.join(root, d))
      const base = Math.floor(Date.now() / 1000) - FINISHED
      for (let i = 0; i < FINISHED; i++) {
        const p = path.join(root, stateOf(i), `task-${i}.md`)
        writeFileSync(p, TEXT)
        utimesSync(p, base + i, base + i)
      }
      return yield* time(yield* makeTaskQueueFs(root))
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }).pipe(Effect.provide(NodeFileSystem.layer), Effect.scoped, Effect.runPromise)

const onPostgres = (serverUrl: string) =>
  Effect.gen(function* () {
    const url = freshDatabase(serverUrl, "bench_recent")
    const q = yield* queueOn(url, "bench") // migrates
    psql(
      url,
      `INSERT INTO tasks (id, state, text, updated_at, footer)
        SELECT 'task-' || g, CASE WHEN g % 10 = 0 THEN 'failed' ELSE 'done' END, ${`'${TEXT}'`},
          now() - ((${FINISHED} - g) || ' seconds')::interval, '{"status":"completed","route":"local"}'::jsonb
        FROM generate_series(0, ${FINISHED - 1}) g; ANALYZE tasks`,
    )
    return yield* time(q)
  }).pipe(Effect.scoped, Effect.runPromise)

export const queueRecent = async (): Promise<BenchResult> => {
  const files = await onFiles()
  const pg = await withPgServer("queue-recent", onPostgres)
  return {
    name: "queue-recent",
    figures: {
      files_first_recent_ms: files.first,
      files_recent_ms: files.recent,
      files_listing_ms: files.listing,
      pg_first_recent_ms: pg.first,
      pg_recent_ms: pg.recent,
      pg_listing_ms: pg.listing,
    },
    budget: "our target (DESIGN.md sets none): recent 30 of 20,000 finished <= 50 ms on either queue",
    withinBudget: files.recent <= 50 && pg.recent <= 50,
    note: `${FINISHED} finished tasks (a tenth failed), the ${RECENT} newest, median of ${RUNS}; listing = every done and failed summary, sorted`,
  }
}
