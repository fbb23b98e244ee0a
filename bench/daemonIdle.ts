import { readFileSync } from "node:fs"
import { startDaemon } from "./daemonRig.js"
import { round } from "./stats.js"
import type { BenchResult } from "./types.js"

const IDLE_S = 60

/** CPU ticks of a process and its waited-for children (the tmux calls it makes), from /proc. */
const cpuTicks = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
  // utime, stime, cutime, cstime are fields 14-17 of stat; here offset by the 2 fields before ") ".
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0)
}
const rssMb = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, "utf8")
    .split("\n")
    .find((l) => l.startsWith("VmRSS:"))!
  return Number(line.replace(/\D+/g, "")) / 1024
}

/** The daemon with 8 idle sessions for 60 s: its RSS at the end and its CPU share (children included). */
export const daemonIdle = async (): Promise<BenchResult> => {
  const daemon = await startDaemon(8, 0)
  try {
    await new Promise((r) => setTimeout(r, 3_000)) // settle after start-up
    const before = cpuTicks(daemon.pid)
    const t0 = Date.now()
    await new Promise((r) => setTimeout(r, IDLE_S * 1000))
    const ticks = cpuTicks(daemon.pid) - before
    const cpuPct = ((ticks / 100) * 1000 * 100) / (Date.now() - t0)
    const rss = rssMb(daemon.pid)
    return {
      name: "daemon-idle",
      figures: { rss_mb: round(rss), cpu_percent: round(cpuPct, 2) },
      budget: "RSS <= 120 MB, CPU <= 1 % (8 sessions, 60 s idle)",
      withinBudget: rss <= 120 && cpuPct <= 1,
      note: "idle = one tmux list-sessions every 2 s, a 1 s dispatcher tick over the in-memory pending index",
    }
  } finally {
    await daemon.stop()
  }
}
