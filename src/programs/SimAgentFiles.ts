import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { projectSlug } from "../domain/ProjectSlug.js"
import { writeFileDurably } from "../layers/DurableFile.js"
import type { SimAgentOptions } from "./SimAgentOptions.js"

// The files `ccl sim-agent` writes under its account home: transcripts, the live status file; and what it reads.

export interface AgentFiles {
  readonly transcript: (sessionId: string) => string
  readonly status: string
  readonly settings: string
  readonly limitFlag: string
  /** The account's usage for the statusline's rate_limits (SimAgentStatusLine.ts). */
  readonly quota: string
}

export const agentFiles = (o: SimAgentOptions): AgentFiles => ({
  transcript: (id) => path.join(o.configDir, "projects", projectSlug(o.cwd), `${id}.jsonl`),
  status: path.join(o.configDir, "sessions", `${process.pid}.json`),
  settings: path.join(o.configDir, "settings.json"),
  limitFlag: path.join(o.configDir, "LIMIT"),
  quota: path.join(o.configDir, "QUOTA"),
})

/** Appends one transcript entry as a JSON line, creating the project folder on the first one. */
export const appendEntry = (file: string, entry: object): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.appendFileSync(file, `${JSON.stringify(entry)}\n`)
}

export interface StatusRecord {
  readonly pid: number
  readonly sessionId: string
  readonly cwd: string
  readonly status: "idle" | "busy"
  readonly tmux: string | null
  readonly updatedAt: string
}

/** What the status file says now: this process, its conversation and pane, idle or busy. */
export const statusRecord = (
  options: SimAgentOptions,
  sessionId: string,
  status: StatusRecord["status"],
): StatusRecord => ({
  pid: process.pid,
  sessionId,
  cwd: options.cwd,
  status,
  tmux: options.tmuxPane ?? null,
  updatedAt: new Date().toISOString(),
})

/** The live status file, written whole (temp + rename) so a reader never sees half of it; removed on exit. */
export const acquireStatusFile = (file: string) =>
  Effect.acquireRelease(
    // The modes a plain writeFileSync and mkdir -p give (0666 and 0777 less the umask), as before.
    Effect.succeed((record: StatusRecord) =>
      writeFileDurably(file, `${JSON.stringify(record)}\n`, { mode: 0o666, dirMode: 0o777 }),
    ),
    () =>
      Effect.sync(() => {
        try {
          fs.rmSync(file, { force: true })
        } catch {
          // left behind: readers check that the pid is alive
        }
      }),
  )
