// The lines `ccl sim-agent` prints that ccl and its screen classifier look for, and its simulated reply.

export const RULE = "─".repeat(60)
export const FOOTER = "  ? for shortcuts"
export const LIMIT_LINE = "You've hit your limit · resets 8pm (Europe/Paris)"

/** The limit line for a reset at `resetsAtMs`, to the minute as Claude Code writes it (in UTC). */
export const limitLineAt = (resetsAtMs: number): string => {
  const d = new Date(resetsAtMs)
  const h = d.getUTCHours()
  const mm = String(d.getUTCMinutes()).padStart(2, "0")
  return `You've hit your limit · resets ${h % 12 === 0 ? 12 : h % 12}:${mm}${h < 12 ? "am" : "pm"} (UTC)`
}
export const UPGRADE_LINE = "/upgrade to increase your usage limit."
/** A turn that ends in an API error that is not a limit (a prompt with `[api-error]`). */
export const API_ERROR_LINE =
  'API Error: 500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}'
export const INTERRUPTED_REPLY = "Interrupted by user"
export const SPINNER_FRAMES = ["✻", "✶", "✳", "✢", "·"] as const

export const spinnerLine = (frame: number): string =>
  `${SPINNER_FRAMES[frame % SPINNER_FRAMES.length]} Working… (esc to interrupt)`

/** The summary under a finished turn: its duration rounded up to whole seconds (at least 1s). */
export const bakedLine = (ms: number): string => `✻ Baked for ${Math.max(1, Math.ceil(ms / 1000))}s`

export const resumedLine = (sessionId: string, messages: number, configDir: string): string =>
  `Resumed conversation ${sessionId} (${messages} messages) under ${configDir}`

export const noConversationLine = (sessionId: string): string =>
  `No conversation found with session ID: ${sessionId}`

export const firstLine = (text: string): string => text.split(/\r\n|\r|\n/)[0] ?? ""

/** The simulated answer: the prompt's first line, cut to 60 characters (code points, not UTF-16 units). */
export const replyFor = (prompt: string): string =>
  `Done: ${Array.from(firstLine(prompt)).slice(0, 60).join("")}`
