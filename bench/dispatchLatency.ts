import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { startDaemon } from "./daemonRig.js"
import { percentile, round } from "./stats.js"
import type { BenchResult } from "./types.js"

export const SESSIONS = 8
/**
 * The 200-task run arrives one task every GAP_MS, below the pool's throughput, so it measures the latency of a
 * dispatch. The growth run (2,000 would not fit in the bench's ten minutes; see BENCHMARKS.md) arrives every
 * LARGE_GAP_MS, faster than the pool can serve: it shows how latency grows with the backlog.
 */
export const LARGE = Number(process.env.CCL_BENCH_DISPATCH_LARGE ?? 300)
export const GAP_MS = Number(process.env.CCL_BENCH_GAP_MS ?? 400)
export const LARGE_GAP_MS = Number(process.env.CCL_BENCH_LARGE_GAP_MS ?? 150)
/** How long to wait for the last prompts after the last rename. */
const DRAIN_MS = 20_000

/** When each task's prompt reached an agent: the simulated agent's transcript timestamp of the user entry. */
const landedAt = (home: string): Map<string, number> => {
  const out = new Map<string, number>()
  const root = path.join(home, "projects")
  if (!existsSync(root)) return out
  for (const slug of readdirSync(root)) {
    for (const f of readdirSync(path.join(root, slug))) {
      for (const line of readFileSync(path.join(root, slug, f), "utf8").split("\n")) {
        if (line.trim() === "") continue
        const e = JSON.parse(line) as { type: string; timestamp: string; message: { content: unknown } }
        const m = e.type === "user" ? /^\[ccl task (\S+):/.exec(String(e.message.content)) : null
        if (m !== null) out.set(m[1]!, Date.parse(e.timestamp))
      }
    }
  }
  return out
}

/** How tasks reach the daemon's queue. `add` publishes one and returns the instant its latency counts from. */
export interface TaskFeed {
  /** The daemon's `queue:` (a Postgres URL); none: the rig's own folder. */
  readonly queue?: string
  readonly add: (queue: string, id: string, text: string) => Promise<number>
}

/** The file queue: written in tmp/, then renamed into pending/ (the instant counted: just before the rename). */
export const fileFeed: TaskFeed = {
  add: async (queue, id, text) => {
    const staged = path.join(queue, "tmp", `${id}.md`)
    writeFileSync(staged, text)
    const at = Date.now()
    renameSync(staged, path.join(queue, "pending", `${id}.md`))
    return at
  },
}

/** Tasks added one every GAP_MS; latency = added -> the prompt submitted in a session. */
export const measure = async (tasks: number, gapMs: number, feed: TaskFeed = fileFeed) => {
  const daemon = await startDaemon(SESSIONS, 0, feed.queue === undefined ? {} : { queue: feed.queue })
  try {
    const addedAt = new Map<string, number>()
    for (let i = 0; i < tasks; i++) {
      const id = `lat-${i}`
      addedAt.set(id, await feed.add(daemon.queue, id, `Task ${i}: reply with one word.\n`))
      await new Promise((r) => setTimeout(r, gapMs))
    }
    // Latency ends when the prompt is submitted in a session: wait for every prompt to land (bounded).
    const deadline = Date.now() + DRAIN_MS
    let landed = landedAt(daemon.home)
    while (landed.size < tasks && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500))
      landed = landedAt(daemon.home)
    }
    const latencies = [...addedAt].flatMap(([id, t]) => (landed.has(id) ? [landed.get(id)! - t] : []))
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      landed: latencies.length,
      addedAt,
      landedAt: landed,
    }
  } finally {
    await daemon.stop()
  }
}

type Measured = Awaited<ReturnType<typeof measure>>

/** The figures both dispatch-latency benchmarks (file and Postgres queue) report for their two runs. */
export const latencyFigures = (small: Measured, large: Measured) => ({
  p50_200_ms: round(small.p50),
  p99_200_ms: round(small.p99),
  p50_large_ms: round(large.p50),
  p99_large_ms: round(large.p99),
  large_tasks: LARGE,
  landed_200: small.landed,
  landed_large: large.landed,
})

export const dispatchLatency = async (): Promise<BenchResult> => {
  const small = await measure(200, GAP_MS)
  const large = await measure(LARGE, LARGE_GAP_MS)
  return {
    name: "dispatch-latency",
    figures: {
      ...latencyFigures(small, large),
      p50_growth: round(large.p50 / small.p50, 2),
    },
    budget: "p50 <= 20 ms, p99 <= 100 ms (8 sessions, 200 tasks)",
    withinBudget: small.landed === 200 && small.p50 <= 20 && small.p99 <= 100,
    note: `200 tasks one every ${GAP_MS} ms, then ${LARGE} one every ${LARGE_GAP_MS} ms (more than the pool serves), into 8 simulated agents (work 0); a dispatch = claim, paste, Enter (the /clear follows the previous filing)`,
  }
}
