// The pure half of the mock Anthropic Messages API (MockAnthropic.ts): what a request body says, which fault it
// asks for, and the bytes of each answer (usage limits: MockAnthropicLimits.ts). No Effect services, no clock:
// the server passes `now` in.

import { ParseResult, Schema } from "effect"
import type { Claim } from "./MockAnthropicLimits.js"

/** A content block: only `type` and a text block's `text` matter; other fields and block types pass. */
const Block = Schema.Struct({ type: Schema.String, text: Schema.optional(Schema.Unknown) })
const Message = Schema.Struct({
  role: Schema.String,
  content: Schema.Union(Schema.String, Schema.Array(Block)),
})
export type Message = typeof Message.Type

/** The part of a `POST /v1/messages` (or count_tokens) body the mock reads; unknown fields are ignored. */
export const MessagesBody = Schema.Struct({
  model: Schema.optional(Schema.String),
  messages: Schema.Array(Message),
  stream: Schema.optional(Schema.Boolean),
})
export type MessagesBody = typeof MessagesBody.Type

const isReminder = (text: string) => text.trimStart().startsWith("<system-reminder>")

/**
 * The prompt: in the last message with role `user` (Claude Code also sends a `system` role message after it),
 * the last text block that is not a `<system-reminder>` (a string content counts as one text block).
 * Null when there is none.
 */
export const promptOf = (messages: ReadonlyArray<Message>): string | null => {
  const last = [...messages].reverse().find((m) => m.role === "user")
  if (last === undefined) return null
  const texts =
    typeof last.content === "string"
      ? [last.content]
      : last.content.flatMap((b) => (b.type === "text" && typeof b.text === "string" ? [b.text] : []))
  return texts.filter((t) => !isReminder(t)).at(-1) ?? null
}

/**
 * `Done: ` and the prompt's first 40 characters, whitespace collapsed (and none at the end). The tags of a
 * paste (`<pasted_content id="N">` ... `</pasted_content id="N">`, N changing per paste) are left out, its
 * text kept: the reply stays the same for the same text.
 */
export const replyFor = (prompt: string | null): string => {
  if (prompt === null) return "Done: (no prompt)"
  const collapsed = prompt
    .replace(/<\/?pasted_content\b[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
  return `Done: ${Array.from(collapsed).slice(0, 40).join("").trimEnd()}`
}

export type Fault =
  | { readonly _tag: "Limit"; readonly claim: Claim; readonly resetInS: number | undefined }
  | { readonly _tag: "Overloaded" }

export interface Triggers {
  readonly workMs: number | undefined
  readonly fault: Fault | undefined
}

/** `[work=MS]`, `[limit]`, `[limit=five_hour|seven_day]` with an optional ` reset=SECONDS`, `[overloaded]`. */
export const triggersOf = (prompt: string | null): Triggers => {
  if (prompt === null) return { workMs: undefined, fault: undefined }
  const work = /\[work=(\d+)\]/.exec(prompt)
  const limit = /\[limit(?:=(five_hour|seven_day))?(?:\s+reset=(\d+))?\]/.exec(prompt)
  const fault: Fault | undefined =
    limit !== null
      ? {
          _tag: "Limit",
          claim: limit[1] === "seven_day" ? "seven_day" : "five_hour",
          resetInS: limit[2] === undefined ? undefined : Number(limit[2]),
        }
      : /\[overloaded\]/.test(prompt)
        ? { _tag: "Overloaded" }
        : undefined
  return { workMs: work === null ? undefined : Number(work[1]), fault }
}

export type Trigger = "limit" | "limit=seven_day" | "overloaded" | "exhausted-token"

export type Outcome =
  | { readonly _tag: "Limit"; readonly trigger: Trigger; readonly claim: Claim; readonly resetAtMs: number }
  | { readonly _tag: "Overloaded"; readonly trigger: Trigger }
  | { readonly _tag: "Reply" }

/**
 * What to answer: an exhausted token first (its own claim and reset), then `[limit]` (reset `resetInS`, else
 * `defaultResetMs(claim)`, from now), then `[overloaded]`, else the reply.
 */
export const outcomeOf = (
  fault: Fault | undefined,
  exhausted: { readonly claim: Claim; readonly resetAtMs: number } | undefined,
  nowMs: number,
  defaultResetMs: (claim: Claim) => number,
): Outcome => {
  if (exhausted !== undefined) return { _tag: "Limit", trigger: "exhausted-token", ...exhausted }
  if (fault?._tag === "Limit") {
    const resetMs = fault.resetInS === undefined ? defaultResetMs(fault.claim) : fault.resetInS * 1000
    const trigger = fault.claim === "seven_day" ? "limit=seven_day" : "limit"
    return { _tag: "Limit", trigger, claim: fault.claim, resetAtMs: nowMs + resetMs }
  }
  if (fault?._tag === "Overloaded") return { _tag: "Overloaded", trigger: "overloaded" }
  return { _tag: "Reply" }
}

/** One line: `path: message` per issue. */
export const describeParseError = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message))
    .join("; ")

/** The bearer token (`Authorization: Bearer`), else the `x-api-key` value, else null. */
export const callerToken = (headers: Readonly<Record<string, string | undefined>>): string | null => {
  const bearer = /^Bearer +(.+)$/i.exec(headers.authorization ?? "")?.[1]?.trim()
  if (bearer !== undefined && bearer !== "") return bearer
  const key = headers["x-api-key"]
  return key === undefined || key === "" ? null : key
}

/** About four characters a token, at least 1. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

export const apiError = (type: string, message: string) => ({ type: "error", error: { type, message } })

/** A complete (non-streaming) assistant message. */
export const messageObject = (id: string, model: string, text: string, inputTokens: number) => ({
  id,
  type: "message",
  role: "assistant",
  model,
  content: [{ type: "text", text }],
  stop_reason: "end_turn",
  stop_sequence: null,
  usage: { input_tokens: inputTokens, output_tokens: estimateTokens(text) },
})

const frame = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`

/** The SSE frames of a streamed message: the text in deltas of up to 16 characters. */
export const sseFrames = (id: string, model: string, text: string, inputTokens: number): Array<string> => {
  const chars = Array.from(text)
  const deltas: Array<string> = []
  for (let i = 0; i < chars.length; i += 16) deltas.push(chars.slice(i, i + 16).join(""))
  const usage = { input_tokens: inputTokens, output_tokens: 1 }
  return [
    frame("message_start", {
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
      },
    }),
    frame("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    ...deltas.map((t) => frame("content_block_delta", { index: 0, delta: { type: "text_delta", text: t } })),
    frame("content_block_stop", { index: 0 }),
    frame("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: estimateTokens(text) },
    }),
    frame("message_stop", {}),
  ]
}
