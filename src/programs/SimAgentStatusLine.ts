import * as fs from "node:fs"
import { LIMIT_LINE, limitLineAt } from "../domain/SimAgentLines.js"
import { quotaOfRateLimits } from "../domain/StatusLineQuota.js"
import type { AgentFiles } from "./SimAgentFiles.js"
import { spawnHook } from "./SimAgentHooks.js"

// `ccl sim-agent`'s statusline, as Claude Code runs it: the `statusLine` command of settings.json, after each turn
// (and at start), debounced, with the statusline JSON on stdin. `rate_limits` come from `<config>/QUOTA`, so a test
// sets an account's usage: `{"five_hour": 42, "seven_day": 10}` (percent; resets 5 h / 7 d after the file was
// written) or per window `{"used_percentage": 42, "resets_at": <epoch s>}`. No QUOTA file: no rate_limits, as for an
// account Claude Code has no usage headers of. What the command prints is not shown.

/** Claude Code's debounce of statusline refreshes. */
const DEBOUNCE_MS = 300
const WINDOW_MS = { five_hour: 5 * 3600_000, seven_day: 7 * 86400_000 } as const

const statusLineCommand = (settingsFile: string): string | undefined => {
  try {
    const s = JSON.parse(fs.readFileSync(settingsFile, "utf8")) as {
      statusLine?: { type?: unknown; command?: unknown }
    }
    return s?.statusLine?.type === "command" && typeof s.statusLine.command === "string"
      ? s.statusLine.command
      : undefined
  } catch {
    return undefined
  }
}

/** The QUOTA file as the statusline's `rate_limits`; undefined when there is none (or it is not JSON). */
export const rateLimitsOf = (file: string): object | undefined => {
  let doc: Record<string, unknown>
  let written: number
  try {
    doc = JSON.parse(fs.readFileSync(file, "utf8"))
    written = fs.statSync(file).mtimeMs
  } catch {
    return undefined
  }
  const out: Record<string, { used_percentage: number; resets_at: number }> = {}
  for (const w of ["five_hour", "seven_day"] as const) {
    const v = doc?.[w]
    const window = typeof v === "number" ? { used_percentage: v } : v
    const reading = quotaOfRateLimits({ [w]: window })[w]
    if (reading === undefined) continue
    const resetsAt = reading.resets_at === null ? written + WINDOW_MS[w] : Date.parse(reading.resets_at)
    out[w] = { used_percentage: reading.used_percentage, resets_at: Math.floor(resetsAt / 1000) }
  }
  return out
}

/** The limit line: with a QUOTA file, the limit resets when its 5-hour window does (a test sets one seconds away). */
export const limitLineOf = (quotaFile: string): string => {
  const reset = (rateLimitsOf(quotaFile) as { five_hour?: { resets_at: number } } | undefined)?.five_hour
  return reset === undefined ? LIMIT_LINE : limitLineAt(reset.resets_at * 1000)
}

/** A `refresh(sessionId)` that runs the statusLine command once the refreshes stop for DEBOUNCE_MS. */
export const makeStatusLine = (files: AgentFiles, cwd: string) => {
  let timer: NodeJS.Timeout | undefined
  const run = (sessionId: string) => {
    const command = statusLineCommand(files.settings)
    if (command === undefined) return
    const rateLimits = rateLimitsOf(files.quota)
    const input = JSON.stringify({
      session_id: sessionId,
      transcript_path: files.transcript(sessionId),
      cwd,
      model: { id: "claude-sim", display_name: "Sim" },
      workspace: { current_dir: cwd, project_dir: cwd },
      version: "sim",
      cost: { total_cost_usd: 0 },
      ...(rateLimits === undefined ? {} : { rate_limits: rateLimits }),
    })
    spawnHook(command, input, cwd)
  }
  return (sessionId: string): void => {
    clearTimeout(timer)
    timer = setTimeout(() => run(sessionId), DEBOUNCE_MS)
  }
}
