// Claim throughput of the Postgres queue with 1, 3 and 10 claimers, each a process of its own with its own
// connection pool, as separate daemons are (bench/pgClaimer.ts, bundled beside the bench): every claimer lists
// pending, claims down the list (SKIP LOCKED: a row another claimer holds is passed over, not waited for), files what
// it won, and goes again until the queue is empty. The same claimers as fibers of this one process (one pool each)
// are measured too: the figures before 2026-12-03 were those. Server: bench/pgServer.ts.

import { spawn } from "node:child_process"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { Context, Effect, Layer } from "effect"
import { TaskQueuePg } from "../src/layers/TaskQueuePg.js"
import { TaskQueue } from "../src/services/TaskQueue.js"
import { freshDatabase } from "../test/support/postgres.js"
import { withPgServer } from "./pgServer.js"
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

export const queueOn = (url: string, node: string) =>
  Effect.map(Layer.build(TaskQueuePg({ url, node, leaseMs: 120_000, maxAttempts: 3 })), (c) =>
    Context.get(c, TaskQueue),
  )

export interface Outcome {
  readonly won: number
  readonly lost: number
  /** CPU time of a claimer process while it claimed (user + system). */
  readonly cpuMs?: number
}

/** One claimer until the queue is empty: claims won and lost. */
export const claimer = (q: Context.Tag.Service<TaskQueue>) =>
  Effect.gen(function* () {
    let won = 0
    let lost = 0
    for (;;) {
      const pending = yield* q.listPending
      if (pending.length === 0) return { won, lost } satisfies Outcome
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

/** `n` claimer processes, each connected and migrated before the clock starts; all told "go" at once. */
const inProcesses = async (url: string, n: number): Promise<{ ms: number; outcomes: Array<Outcome> }> => {
  const script = path.resolve("dist/bench-pg-claimer.mjs")
  const children = Array.from({ length: n }, (_, i) =>
    spawn(process.execPath, [script, url, `c${i}`], { stdio: ["pipe", "pipe", "inherit"] }),
  )
  const lines = children.map((c) => createInterface({ input: c.stdout! })[Symbol.asyncIterator]())
  const next = async (i: number) => {
    const r = await lines[i]!.next()
    if (r.done === true) throw new Error(`claimer c${i} exited early`)
    return r.value as string
  }
  try {
    await Promise.all(children.map((_, i) => next(i))) // "ready"
    let outcomes: Array<Outcome> = []
    const ms = await timeMs(async () => {
      for (const c of children) c.stdin!.write("go\n")
      outcomes = await Promise.all(children.map(async (_, i) => JSON.parse(await next(i)) as Outcome))
    })
    return { ms, outcomes }
  } finally {
    for (const c of children) c.kill()
  }
}

/** `n` claimers as fibers of this process, one connection pool each. */
const inFibers = (url: string, n: number) =>
  Effect.gen(function* () {
    const queues = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => `c${i}`),
      (node) => queueOn(url, node),
    )
    let outcomes: Array<Outcome> = []
    const ms = yield* Effect.promise(() =>
      timeMs(async () => {
        outcomes = await Effect.runPromise(Effect.all(queues.map(claimer), { concurrency: "unbounded" }))
      }),
    )
    return { ms, outcomes }
  }).pipe(Effect.scoped, Effect.runPromise)

const measure = (serverUrl: string, n: number, how: "processes" | "fibers") =>
  Effect.gen(function* () {
    const url = freshDatabase(serverUrl, `bench_claims_${how}_${n}`)
    const filler = yield* queueOn(url, "filler")
    for (let i = 0; i < TASKS; i++)
      yield* filler.enqueue(`t${i}`, `---\npriority: ${i % 5}\n---\nTask ${i}\n`)
    const { ms, outcomes } = yield* Effect.promise(() =>
      how === "processes" ? inProcesses(url, n) : inFibers(url, n),
    )
    const won = outcomes.reduce((s, o) => s + o.won, 0)
    const lost = outcomes.reduce((s, o) => s + o.lost, 0)
    if (won !== TASKS) throw new Error(`${n} claimers: ${won} claims won for ${TASKS} tasks`)
    const counts = yield* filler.counts
    if (counts.done !== TASKS) throw new Error(`${n} claimers: ${counts.done} done for ${TASKS} tasks`)
    const cpuMs = outcomes.reduce((s, o) => s + (o.cpuMs ?? 0), 0)
    return {
      perSecond: round((TASKS / ms) * 1000),
      lostPercent: round((lost / (won + lost)) * 100),
      cpuMsPerClaim: round(cpuMs / TASKS, 2),
    }
  }).pipe(Effect.scoped, Effect.runPromise)

export const pgClaims = async (): Promise<BenchResult> =>
  withPgServer("pg-claims", async (serverUrl) => {
    const figures: Record<string, number> = {}
    for (const n of CLAIMERS) {
      const r = await measure(serverUrl, n, "processes")
      figures[`claims_per_s_${n}`] = r.perSecond
      figures[`lost_claims_percent_${n}`] = r.lostPercent
      figures[`claimer_cpu_ms_per_task_${n}`] = r.cpuMsPerClaim
    }
    for (const n of CLAIMERS) {
      const r = await measure(serverUrl, n, "fibers")
      figures[`in_process_claims_per_s_${n}`] = r.perSecond
      figures[`in_process_lost_claims_percent_${n}`] = r.lostPercent
    }
    return {
      name: "pg-claims",
      figures,
      budget: "at least 100 claims+completions/s with 1 claimer; more claimers never fewer than half that",
      withinBudget:
        figures.claims_per_s_1! >= 100 &&
        CLAIMERS.every((n) => figures[`claims_per_s_${n}`]! >= figures.claims_per_s_1! / 2),
      note: `${TASKS} tasks, each claimer a process with its own pool (in_process_*: fibers of one process), listing pending then claiming up to ${PER_PASS} per pass and filing each; every task filed once`,
    }
  })
