import * as fs from "node:fs"
import { Data, Effect } from "effect"
import * as Screen from "../domain/SimAgentScreen.js"
import type { AgentFiles } from "./SimAgentFiles.js"

// The conversation `ccl sim-agent` shows: a fresh one, or one resumed from its transcript.

/** `--resume` of a conversation that has no transcript under this account home and cwd. */
export class ConversationNotFound extends Data.TaggedError("ConversationNotFound")<{
  readonly sessionId: string
  readonly message: string
}> {}

export interface Conversation {
  readonly sessionId: string
  /** True once resumed: SessionStart says "resume". */
  readonly resumed: boolean
  readonly header: string | undefined
  readonly turns: ReadonlyArray<Screen.Turn>
  readonly summary: string | undefined
}

export const freshConversation = (sessionId: string): Conversation => ({
  sessionId,
  resumed: false,
  header: undefined,
  turns: [],
  summary: undefined,
})

export const loadConversation = (files: AgentFiles, sessionId: string, configDir: string) =>
  Effect.try({
    try: () => fs.readFileSync(files.transcript(sessionId), "utf8"),
    catch: () => new ConversationNotFound({ sessionId, message: Screen.noConversationLine(sessionId) }),
  }).pipe(
    Effect.map((jsonl): Conversation => {
      const { turns, messages } = Screen.turnsFromTranscript(jsonl)
      const header = Screen.resumedLine(sessionId, messages, configDir)
      return { sessionId, resumed: true, header, turns, summary: undefined }
    }),
  )
