import { readFileSync } from "node:fs"
import { startDaemon } from "./daemonRig.js"
import { tmuxServerPid } from "./procCpu.js"
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
    // The tmux server too: over a control-mode connection the commands run there, not in a child of the daemon.
    const tmux = tmuxServerPid(daemon.socket)
    const before = cpuTicks(daemon.pid) + cpuTicks(tmux)
    const t0 = Date.now()
    await new Promise((r) => setTimeout(r, IDLE_S * 1000))
    const ticks = cpuTicks(daemon.pid) + cpuTicks(tmux) - before
    const cpuPct = ((ticks / 100) * 1000 * 100) / (Date.now() - t0)
    const rss = rssMb(daemon.pid)
    return {
      name: "daemon-idle",
      figures: { rss_mb: round(rss), cpu_percent: round(cpuPct, 2) },
      budget:
        "RSS <= 80 MB, CPU <= 0.5 % (8 sessions, 60 s idle; the daemon, its children and the tmux server)",
      withinBudget: rss <= 80 && cpuPct <= 0.5,
      note: "idle = the safety ticks: list-sessions every 5 s, the dispatcher's 5 s tick, the hook spool's 1 s poll",
    }
  } finally {
    await daemon.stop()
  }
}
