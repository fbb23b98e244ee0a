import { readdirSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { startDaemon } from "./daemonRig.js"
import { cpuSince, fleetCpu } from "./procCpu.js"
import { round } from "./stats.js"
import type { BenchResult } from "./types.js"

const SESSIONS = 16
const TASKS = Number(process.env.CCL_BENCH_THROUGHPUT_TASKS ?? 500)
/** The growth run: 10x the tasks would take the bench past its time; this many, and the ratio is per task. */
const LARGE = Number(process.env.CCL_BENCH_THROUGHPUT_LARGE ?? 2_000)
const DEADLINE_MS = 600_000

const doneCount = (queue: string) => readdirSync(path.join(queue, "done")).length

/** Renames `n` tasks into pending/ at once and waits until every one is in done/: tasks per second, CPU per task. */
const burst = async (n: number) => {
  const daemon = await startDaemon(SESSIONS, 0)
  try {
    for (let i = 0; i < n; i++)
      writeFileSync(path.join(daemon.queue, "tmp", `tp-${i}.md`), `Task ${i}: one word.\n`)
    const cpuBefore = fleetCpu(daemon.pid, daemon.socket)
    const t0 = Date.now()
    for (let i = 0; i < n; i++)
      renameSync(
        path.join(daemon.queue, "tmp", `tp-${i}.md`),
        path.join(daemon.queue, "pending", `tp-${i}.md`),
      )
    while (doneCount(daemon.queue) < n && Date.now() - t0 < DEADLINE_MS)
      await new Promise((r) => setTimeout(r, 50))
    const elapsed = Date.now() - t0
    const done = doneCount(daemon.queue)
    const cpu = cpuSince(cpuBefore, fleetCpu(daemon.pid, daemon.socket))
    return {
      done,
      perSecond: (done * 1000) / elapsed,
      cpuPerTaskMs: (cpu.daemonMs + cpu.tmuxMs + cpu.hooksMs) / Math.max(1, done),
      daemonPerTaskMs: cpu.daemonMs / Math.max(1, done),
      tmuxPerTaskMs: cpu.tmuxMs / Math.max(1, done),
      hooksPerTaskMs: cpu.hooksMs / Math.max(1, done),
    }
  } finally {
    await daemon.stop()
  }
}

/** Work 0 into 16 simulated agents: the pool's throughput, and what each task costs ccl in CPU. */
export const dispatchThroughput = async (): Promise<BenchResult> => {
  const small = await burst(TASKS)
  const large = await burst(LARGE)
  return {
    name: "dispatch-throughput",
    figures: {
      tasks_per_s: round(small.perSecond),
      done: small.done,
      cpu_per_task_ms: round(small.cpuPerTaskMs),
      daemon_cpu_per_task_ms: round(small.daemonPerTaskMs),
      tmux_cpu_per_task_ms: round(small.tmuxPerTaskMs),
      hooks_cpu_per_task_ms: round(small.hooksPerTaskMs),
      large_tasks: LARGE,
      large_tasks_per_s: round(large.perSecond),
      large_cpu_per_task_ms: round(large.cpuPerTaskMs),
      per_task_cpu_growth: round(large.cpuPerTaskMs / small.cpuPerTaskMs, 2),
    },
    budget: ">= 20 tasks/s (work 0, 16 sessions, 500 tasks); CPU per task (daemon + tmux + hooks) <= 30 ms",
    withinBudget: small.done === TASKS && small.perSecond >= 20 && small.cpuPerTaskMs <= 30,
    note: `${TASKS} then ${LARGE} tasks renamed into pending/ at once, 16 simulated agents (work 0); until all in done/`,
  }
}
