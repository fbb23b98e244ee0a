import { readdirSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { processAlive } from "../ProcessAlive.js"

/** A live status file's record for the agent in `paneId`, with the file's mtime (ms). */
const liveRecord = (home: string, paneId: string) => {
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
      if (record.tmux === paneId && typeof record.pid === "number" && processAlive(record.pid))
        return { record, at: statSync(file).mtimeMs }
    } catch {
      // a file being replaced or not Claude's: skip it
    }
  }
  return undefined
}

/** What the live status file says of the agent in `paneId` (busy, idle, waiting), for combineSignals. */
export const liveStatus = (
  home: string,
  paneId: string,
): { readonly status: "busy" | "idle" | "waiting" | "shell"; readonly at: number } | undefined => {
  const found = liveRecord(home, paneId)
  const status = found?.record.status
  return status === "busy" || status === "idle" || status === "waiting" || status === "shell"
    ? { status, at: found!.at }
    : undefined
}

/**
 * The conversation id Claude Code 2.1+ reports in its live status file `<home>/sessions/<pid>.json` for the agent
 * running in tmux pane `paneId` (a live process only), or undefined.
 */
export const liveSessionId = (home: string, paneId: string): string | undefined => {
  const id = liveRecord(home, paneId)?.record.sessionId
  return typeof id === "string" && isValidResumeUUID(id) ? id : undefined
}
