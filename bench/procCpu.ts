import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"

// CPU of ccl's side of a fleet, from /proc: the daemon (with the tmux clients it waited for), the tmux server
// (where control-mode commands run), and the hooks the agents ran (their waited-for children). The agents' own CPU
// is the agent's, not ccl's: left out.

const TICK_MS = 1000 / 100 // USER_HZ

/** utime, stime, cutime, cstime of a process (fields 14-17 of stat), in ticks; zeros when it is gone. */
const statTimes = (pid: number): [number, number, number, number] => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return [Number(fields[11]), Number(fields[12]), Number(fields[13]), Number(fields[14])]
  } catch {
    return [0, 0, 0, 0]
  }
}

const parentOf = (pid: number): number | undefined => {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[1])
  } catch {
    return undefined
  }
}

/** The tmux server's pid on a socket. */
export const tmuxServerPid = (socket: string): number =>
  Number(execFileSync("tmux", ["-L", socket, "display-message", "-p", "#{pid}"], { encoding: "utf8" }).trim())

/** The agents: the processes whose parent is a pane's shell. */
const agentPids = (socket: string): ReadonlyArray<number> => {
  const panes = new Set(
    execFileSync("tmux", ["-L", socket, "list-panes", "-a", "-F", "#{pane_pid}"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l !== "")
      .map(Number),
  )
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => panes.has(parentOf(pid) ?? -1))
}

export interface FleetCpu {
  readonly daemonMs: number
  readonly tmuxMs: number
  readonly hooksMs: number
}

/** CPU so far of the daemon (children included), the tmux server, and the agents' hooks, in ms. */
export const fleetCpu = (daemonPid: number, socket: string): FleetCpu => {
  const d = statTimes(daemonPid)
  const t = statTimes(tmuxServerPid(socket))
  const hooks = agentPids(socket).reduce((sum, pid) => {
    const a = statTimes(pid)
    return sum + a[2] + a[3]
  }, 0)
  return {
    daemonMs: (d[0] + d[1] + d[2] + d[3]) * TICK_MS,
    tmuxMs: (t[0] + t[1]) * TICK_MS,
    hooksMs: hooks * TICK_MS,
  }
}

export const cpuSince = (before: FleetCpu, after: FleetCpu): FleetCpu => ({
  daemonMs: after.daemonMs - before.daemonMs,
  tmuxMs: after.tmuxMs - before.tmuxMs,
  hooksMs: after.hooksMs - before.hooksMs,
})
