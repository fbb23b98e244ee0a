import { shellQuote } from "./HookSettings.js"
import { isValidResumeUUID } from "./ResumeId.js"

export interface Launch {
  /** The account home (CLAUDE_CONFIG_DIR); undefined = the agent's default. */
  readonly home: string | undefined
  readonly command: string
  readonly args: ReadonlyArray<string>
  /** `--session-id <uuid>` for a new conversation, or `--resume <uuid>` to continue one. */
  readonly conversation: { readonly mode: "new" | "resume"; readonly id: string }
}

/**
 * The one command line typed into a session's shell to start the agent. Built from config values
 * (shell-quoted) and a validated UUID only; undefined when the UUID is not one (nothing is ever typed then).
 */
export const launchLine = (launch: Launch): string | undefined => {
  if (!isValidResumeUUID(launch.conversation.id)) return undefined
  const env = launch.home === undefined ? [] : [`CLAUDE_CONFIG_DIR=${shellQuote(launch.home)}`]
  const flag = launch.conversation.mode === "new" ? "--session-id" : "--resume"
  return [
    ...env,
    shellQuote(launch.command),
    ...launch.args.map(shellQuote),
    flag,
    launch.conversation.id,
  ].join(" ")
}

/** The prompt sent for a task: one line naming the task and its file, then the task body verbatim. */
export const taskPrompt = (id: string, file: string, body: string): string =>
  `[ccl task ${id}: ${file}]\n${body}`

/** What a working session that was resumed after a failover is told. */
export const continuePrompt = (taskId: string): string =>
  `[ccl task ${taskId}] The usage limit interrupted this task and the session moved to another account. Continue the task where you left off.`
