import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { isValidResumeUUID } from "../../domain/ResumeId.js"

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * The conversation id Claude Code 2.1+ reports in its live status file `<home>/sessions/<pid>.json` for the agent
 * running in tmux pane `paneId` (a live process only), or undefined.
 */
export const liveSessionId = (home: string, paneId: string): string | undefined => {
  const dir = path.join(home, "sessions")
  let names: string[]
  try {
    names = readdirSync(dir).filter((n) => /^\d+\.json$/.test(n))
  } catch {
    return undefined
  }
  for (const name of names) {
    try {
      const record = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Record<string, unknown>
      if (
        record.tmux === paneId &&
        typeof record.sessionId === "string" &&
        isValidResumeUUID(record.sessionId) &&
        typeof record.pid === "number" &&
        alive(record.pid)
      )
        return record.sessionId
    } catch {
      // a file being replaced or not Claude's: skip it
    }
  }
  return undefined
}
