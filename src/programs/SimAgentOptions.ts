/** How `ccl sim-agent` runs: its conversation, turn length, account home, cwd and pane. */
export interface SimAgentOptions {
  /** Id of the new conversation (a validated UUID); a random one when absent. */
  readonly sessionId?: string
  /** Conversation to continue (a validated UUID): its transcript must exist under `configDir`. */
  readonly resume?: string
  /** How long a turn takes. */
  readonly workMs: number
  /** The account home (`CLAUDE_CONFIG_DIR`): projects/, sessions/, settings.json, LIMIT. */
  readonly configDir: string
  readonly cwd: string
  /** `$TMUX_PANE`, recorded in the status file. */
  readonly tmuxPane?: string
}
