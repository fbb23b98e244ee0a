import { spawn } from "node:child_process"
import * as fs from "node:fs"
import type { AgentFiles } from "./SimAgentFiles.js"

// `ccl sim-agent`'s hooks: the commands settings.json configures, run in the background as Claude Code does.

const HOOK_TIMEOUT_MS = 10_000

const ignore = () => {}

export type HookEvent = "SessionStart" | "UserPromptSubmit" | "Stop" | "StopFailure"

interface HookMatcher {
  readonly matcher?: unknown
  readonly hooks?: unknown
}

/** A matcher filters SessionStart by source and StopFailure by error; absent, empty or `*` matches all. */
const matches = (matcher: unknown, subject: string | undefined): boolean => {
  if (subject === undefined || matcher === undefined || matcher === "" || matcher === "*") return true
  if (typeof matcher !== "string") return false
  try {
    return new RegExp(`^(?:${matcher})$`).test(subject)
  } catch {
    return matcher === subject
  }
}

/** The commands settings.json configures for `event`; none when the file is missing or invalid. */
const hookCommands = (settingsFile: string, event: HookEvent, subject: string | undefined): Array<string> => {
  let settings: unknown
  try {
    settings = JSON.parse(fs.readFileSync(settingsFile, "utf8"))
  } catch {
    return []
  }
  const groups = (settings as { hooks?: Record<string, unknown> } | null)?.hooks?.[event]
  if (!Array.isArray(groups)) return []
  return groups.flatMap((group: HookMatcher) =>
    matches(group?.matcher, subject) && Array.isArray(group.hooks)
      ? group.hooks.flatMap((h: { type?: unknown; command?: unknown }) =>
          h?.type === "command" && typeof h.command === "string" ? [h.command] : [],
        )
      : [],
  )
}

/**
 * Runs one hook command in the background: `sh -c`, the event JSON on stdin, killed (with anything it
 * started) after 10 s. Its output and exit status are ignored and it never delays the agent.
 */
export const spawnHook = (command: string, input: string, cwd: string) => {
  try {
    const child = spawn("sh", ["-c", command], {
      cwd,
      env: { ...process.env, CLAUDE_PROJECT_DIR: cwd },
      stdio: ["pipe", "ignore", "ignore"],
      // Its own process group, so the timeout kills what it started, and no access to our terminal.
      detached: true,
    })
    child.on("error", ignore)
    child.stdin.on("error", ignore)
    child.stdin.end(input)
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }, HOOK_TIMEOUT_MS)
    timer.unref()
    child.on("exit", () => clearTimeout(timer))
    child.unref()
  } catch {
    // a hook that cannot start is ignored, as Claude Code does
  }
}

/** Runs the hooks configured for `event` with its JSON input: the session's fields, then the event's own. */
export const runHooks = (
  files: AgentFiles,
  session: { readonly sessionId: string; readonly cwd: string },
  event: HookEvent,
  fields: Record<string, unknown>,
): void => {
  const subject = typeof fields.source === "string" ? fields.source : (fields.error as string | undefined)
  const commands = hookCommands(files.settings, event, subject)
  if (commands.length === 0) return
  const input = JSON.stringify({
    session_id: session.sessionId,
    transcript_path: files.transcript(session.sessionId),
    cwd: session.cwd,
    hook_event_name: event,
    ...fields,
  })
  for (const command of commands) spawnHook(command, input, session.cwd)
}
