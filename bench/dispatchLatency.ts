import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { startDaemon } from "./daemonRig.js"
import { percentile, round } from "./stats.js"
import type { BenchResult } from "./types.js"

const SESSIONS = 8
const GAP_MS = 50

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

/** Tasks renamed into pending/ one every GAP_MS; latency = rename -> the prompt submitted in a session. */
const measure = async (tasks: number) => {
  const daemon = await startDaemon(SESSIONS, 0)
  try {
    const renamedAt = new Map<string, number>()
    for (let i = 0; i < tasks; i++) {
      const id = `lat-${i}`
      const staged = path.join(daemon.queue, "tmp", `${id}.md`)
      writeFileSync(staged, `Task ${i}: reply with one word.\n`)
      renamedAt.set(id, Date.now())
      renameSync(staged, path.join(daemon.queue, "pending", `${id}.md`))
      await new Promise((r) => setTimeout(r, GAP_MS))
    }
    const deadline = Date.now() + 300_000
    while (readdirSync(path.join(daemon.queue, "done")).length < tasks) {
      if (Date.now() > deadline) throw new Error("tasks did not finish")
      await new Promise((r) => setTimeout(r, 200))
    }
    const landed = landedAt(daemon.home)
    const latencies = [...renamedAt].map(([id, t]) => landed.get(id)! - t)
    if (latencies.some((x) => Number.isNaN(x))) throw new Error("a prompt was not found in any transcript")
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) }
  } finally {
    await daemon.stop()
  }
}

export const dispatchLatency = async (): Promise<BenchResult> => {
  const small = await measure(200)
  const large = await measure(2_000)
  return {
    name: "dispatch-latency",
    figures: {
      p50_200_ms: round(small.p50),
      p99_200_ms: round(small.p99),
      p50_2000_ms: round(large.p50),
      p99_2000_ms: round(large.p99),
      p50_growth: round(large.p50 / small.p50, 2),
    },
    budget: "p50 <= 50 ms, p99 <= 250 ms (8 sessions, 200 tasks)",
    withinBudget: small.p50 <= 50 && small.p99 <= 250,
    note: `one task every ${GAP_MS} ms into 8 simulated agents (work 0); each dispatch = /clear + paste, each a few tmux processes`,
  }
}
