// Claim throughput of the Postgres queue with 1, 3 and 10 claimers (each its own connection pool, as separate
// daemons are): every claimer lists pending, claims down the list (SKIP LOCKED: a row another claimer holds is
// passed over, not waited for), files what it won, and goes again until the queue is empty. Server: CCL_BENCH_PG_URL,
// else a private one (test/support/postgres.ts).

import { Context, Effect, Layer } from "effect"
import { TaskQueuePg } from "../src/layers/TaskQueuePg.js"
import { TaskQueue } from "../src/services/TaskQueue.js"
import { findPgBinDir, freshDatabase, startPostgres } from "../test/support/postgres.js"
import { round, timeMs } from "./stats.js"
import type { BenchResult } from "./types.js"

const TASKS = 600
const CLAIMERS = [1, 3, 10]
/** Claims per pass, like a dispatcher with this many free sessions. */
const PER_PASS = 4

const footer = {
  status: "completed",
  route: "local",
  provider: "bench",
  finished_at: new Date().toISOString(),
} as const

const queueOn = (url: string, node: string) =>
  Effect.map(Layer.build(TaskQueuePg({ url, node, leaseMs: 120_000, maxAttempts: 3 })), (c) =>
    Context.get(c, TaskQueue),
  )

/** One claimer until the queue is empty: claims won and lost. */
const claimer = (q: Context.Tag.Service<TaskQueue>) =>
  Effect.gen(function* () {
    let won = 0
    let lost = 0
    for (;;) {
      const pending = yield* q.listPending
      if (pending.length === 0) return { won, lost }
      let got = 0
      for (const t of pending) {
        if (got === PER_PASS) break
        if (yield* q.claim(t.id)) {
          got++
          won++
          yield* q.complete(t.id, footer)
        } else lost++
      }
    }
  })

const measure = (serverUrl: string, n: number) =>
  Effect.gen(function* () {
    const url = freshDatabase(serverUrl, `bench_claims_${n}`)
    const queues = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => `c${i}`),
      (node) => queueOn(url, node),
    )
    for (let i = 0; i < TASKS; i++)
      yield* queues[0]!.enqueue(`t${i}`, `---\npriority: ${i % 5}\n---\nTask ${i}\n`)
    let outcomes: ReadonlyArray<{ won: number; lost: number }> = []
    const ms = yield* Effect.promise(() =>
      timeMs(async () => {
        outcomes = await Effect.runPromise(Effect.all(queues.map(claimer), { concurrency: "unbounded" }))
      }),
    )
    const won = outcomes.reduce((s, o) => s + o.won, 0)
    const lost = outcomes.reduce((s, o) => s + o.lost, 0)
    if (won !== TASKS) throw new Error(`${n} claimers: ${won} claims won for ${TASKS} tasks`)
    const counts = yield* queues[0]!.counts
    if (counts.done !== TASKS) throw new Error(`${n} claimers: ${counts.done} done for ${TASKS} tasks`)
    return { perSecond: round((TASKS / ms) * 1000), lostPercent: round((lost / (won + lost)) * 100) }
  }).pipe(Effect.scoped)

export const pgClaims = async (): Promise<BenchResult> => {
  let serverUrl = process.env.CCL_BENCH_PG_URL
  let stop = () => {}
  if (serverUrl === undefined || serverUrl === "") {
    const bin = findPgBinDir()
    if (bin === undefined)
      throw new Error("pg-claims: no PostgreSQL binaries (set CCL_BENCH_PG_URL or CCL_PG_BINDIR)")
    const server = await startPostgres(bin)
    serverUrl = server.url
    stop = server.stop
  }
  try {
    const figures: Record<string, number> = {}
    for (const n of CLAIMERS) {
      const r = await Effect.runPromise(measure(serverUrl, n))
      figures[`claims_per_s_${n}`] = r.perSecond
      figures[`lost_claims_percent_${n}`] = r.lostPercent
    }
    return {
      name: "pg-claims",
      figures,
      budget: "at least 100 claims+completions/s with 1 claimer; more claimers never fewer than half that",
      withinBudget:
        figures.claims_per_s_1! >= 100 &&
        CLAIMERS.every((n) => figures[`claims_per_s_${n}`]! >= figures.claims_per_s_1! / 2),
      note: `${TASKS} tasks, each claimer listing pending then claiming up to ${PER_PASS} per pass and filing each; every task filed once`,
    }
  } finally {
    stop()
  }
}
