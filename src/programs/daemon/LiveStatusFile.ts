import { readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { processAlive } from "../../layers/ProcessAlive.js"

/** The tmux pane an agent runs in: its session, pane id (`%3`) and the pid of the pane's shell. */
export interface PaneRef {
  readonly session: string
  readonly paneId: string
  readonly panePid?: number
}

/**
 * Whether a status file's `tmux` field names this pane. Claude Code 2.1.332 writes `<session>:@<window>.<pane>`
 * (`ccl-pool-1:@0.%0`); pane ids repeat across tmux servers, so the session name must match too. A bare `%0`
 * (older releases) is taken as it is.
 */
export const tmuxFieldMatches = (field: unknown, pane: PaneRef): boolean => {
  if (typeof field !== "string") return false
  if (field === pane.paneId) return true
  const m = /^(.*):@\d+\.(%\d+)$/.exec(field)
  return m !== null && m[1] === pane.session && m[2] === pane.paneId
}

/** The parent pid of a process (Linux /proc), or undefined. */
const parentPid = (pid: number): number | undefined => {
  try {
    // "pid (comm) state ppid ...": comm may hold spaces and brackets, so read after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    return Number.isInteger(ppid) ? ppid : undefined
  } catch {
    return undefined
  }
}

/** A live status file's record for the agent in `pane` (by its tmux field, else by its parent pid), and its mtime. */
const liveRecord = (home: string, pane: PaneRef) => {
  const dir = path.join(home, "sessions")
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n))
  } catch {
    return undefined
  }
  for (const name of names) {
    try {
      const file = path.join(dir, name)
      const record = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>
      if (typeof record.pid !== "number" || !processAlive(record.pid)) continue
      // The parent pid (a /proc read) only for a file that names no pane: one that names another is not ours.
      const ours =
        typeof record.tmux === "string"
          ? tmuxFieldMatches(record.tmux, pane)
          : pane.panePid !== undefined && parentPid(record.pid) === pane.panePid
      if (ours) return { record, at: statSync(file).mtimeMs }
    } catch {
      // a file being replaced or not Claude's: skip it
    }
  }
  return undefined
}

/** What the live status file says of the agent in `pane` (busy, idle, waiting), for combineSignals. */
export const liveStatus = (
  home: string,
  pane: PaneRef,
): { readonly status: "busy" | "idle" | "waiting" | "shell"; readonly at: number } | undefined => {
  const found = liveRecord(home, pane)
  const status = found?.record.status
  return status === "busy" || status === "idle" || status === "waiting" || status === "shell"
    ? { status, at: found!.at }
    : undefined
}

/**
 * The conversation id Claude Code 2.1+ reports in its live status file `<home>/sessions/<pid>.json` for the agent
 * running in `pane` (a live process only), or undefined. Also how a swap checks that a relaunched agent really
 * runs under the target home with the expected conversation.
 */
export const liveSessionId = (home: string, pane: PaneRef): string | undefined => {
  const id = liveRecord(home, pane)?.record.sessionId
  return typeof id === "string" && isValidResumeUUID(id) ? id : undefined
}
