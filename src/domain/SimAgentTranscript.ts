import { LIMIT_LINE } from "./SimAgentLines.js"
import { messageText, transcriptEntries } from "./TranscriptEntries.js"

// `ccl sim-agent`'s transcript JSONL: the entries it appends, and the turns a resumed conversation shows.

/** One exchange of a conversation: the prompt and the reply lines (none while the turn runs). */
export interface Turn {
  readonly prompt: string
  readonly reply: ReadonlyArray<string>
}

export interface EntryContext {
  readonly sessionId: string
  readonly cwd: string
  readonly timestamp: string
}

export const userEntry = (c: EntryContext, content: string) => ({
  type: "user",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  message: { role: "user", content },
})

export const assistantEntry = (c: EntryContext, text: string) => ({
  type: "assistant",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  message: { role: "assistant", content: [{ type: "text", text }] },
})

/** How Claude Code records an API error in the transcript: a usage-limit hit by default. */
export const limitEntry = (c: EntryContext, error = "rate_limit", text = LIMIT_LINE) => ({
  type: "assistant",
  sessionId: c.sessionId,
  cwd: c.cwd,
  timestamp: c.timestamp,
  isApiErrorMessage: true,
  error,
  message: { role: "assistant", content: [{ type: "text", text }] },
})

/**
 * The turns of a transcript, to show a resumed conversation, and how many user and assistant messages it holds.
 * API error entries (a usage-limit hit) count as messages but are not shown: a resumed screen must not look
 * like a fresh limit hit. Unreadable lines are skipped.
 */
export const turnsFromTranscript = (
  jsonl: string,
): { readonly turns: ReadonlyArray<Turn>; readonly messages: number } => {
  const turns: Array<Turn> = []
  let messages = 0
  for (const entry of transcriptEntries(jsonl)) {
    if (entry.type !== "user" && entry.type !== "assistant") continue
    messages++
    const text = messageText(entry.message)
    if (text === undefined || entry.isApiErrorMessage === true) continue
    const last = turns[turns.length - 1]
    if (entry.type === "user") turns.push({ prompt: text, reply: [] })
    else if (last !== undefined)
      turns[turns.length - 1] = { ...last, reply: [...last.reply, ...text.split("\n")] }
  }
  return { turns, messages }
}
