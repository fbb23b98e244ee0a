import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import { Effect, FiberHandle, type Queue } from "effect"
import * as Screen from "../domain/SimAgentScreen.js"
import { escapeSettle, turnClock } from "./SimAgentClock.js"
import { type Conversation, freshConversation } from "./SimAgentConversation.js"
import type { AgentEvent } from "./SimAgentEvent.js"
import { type AgentFiles, appendEntry, type StatusRecord, statusRecord } from "./SimAgentFiles.js"
import { type HookEvent, runHooks } from "./SimAgentHooks.js"
import type { SimAgentOptions } from "./SimAgentOptions.js"
import { limitLineOf } from "./SimAgentStatusLine.js"
import { redraw, terminalSize } from "./SimAgentTerminal.js"

// `ccl sim-agent`'s state and behaviour: keys edit the prompt, Enter starts a turn, its clock ends it.

interface Busy {
  readonly turn: number
  readonly prompt: string
  readonly startedAt: number
  /** The id its UserPromptSubmit and Stop hooks carry. */
  readonly promptId: string
}

export interface AgentIO {
  readonly options: SimAgentOptions
  readonly files: AgentFiles
  readonly events: Queue.Queue<AgentEvent>
  readonly writeStatus: (record: StatusRecord) => void
  /** The running turn's clock (spinner ticks, then WorkDone); cleared on interrupt. */
  readonly turnClock: FiberHandle.FiberHandle<void, never>
  /** Settles a lone ESC when no more input follows. */
  readonly escapeTimer: FiberHandle.FiberHandle<void, never>
  /** Runs the statusLine command (debounced) for this conversation. */
  readonly statusLine: (sessionId: string) => void
}

/** An exit code once the agent is done, else undefined. */
export type Outcome = number | undefined
const carryOn = Effect.succeed<Outcome>(undefined)
const step = (f: () => void): Effect.Effect<Outcome> => Effect.sync(() => f()).pipe(Effect.zipRight(carryOn))

/**
 * The agent's state and behaviour. Only the loop fiber calls it, one event at a time; file writes, rendering
 * and hook launches are synchronous, so each event's effects are complete before the next one is handled.
 */
export class Agent {
  private busy: Busy | undefined = undefined
  private frame = 0
  private input: Screen.PromptInput = Screen.emptyInput
  private decoder: Screen.InputDecoder = Screen.emptyDecoder
  private pastes = 0
  private turnCount = 0

  constructor(
    private readonly io: AgentIO,
    private conversation: Conversation,
  ) {}

  start(): void {
    this.publish("idle")
    this.render()
    this.hook("SessionStart", { source: this.conversation.resumed ? "resume" : "startup" })
    this.io.statusLine(this.conversation.sessionId)
  }

  readonly handle = (event: AgentEvent): Effect.Effect<Outcome> => {
    switch (event._tag) {
      case "Input":
        return this.onInput(Screen.decodeInput(this.decoder, event.data))
      case "InputIdle":
        return this.onInput(Screen.flushInput(this.decoder))
      case "Tick":
        return step(() => {
          if (this.busy === undefined) return
          this.frame++
          this.render()
        })
      case "WorkDone":
        // A WorkDone from an interrupted turn's clock is stale: the turn number tells.
        return step(() => {
          if (this.busy?.turn === event.turn) this.finishTurn(Screen.replyFor(this.busy.prompt))
        })
      case "Resize":
        return step(() => this.render())
      case "Hangup":
        return Effect.succeed(event.code)
    }
  }

  private onInput(decoded: Screen.Decoded): Effect.Effect<Outcome> {
    return Effect.gen(this, function* () {
      this.decoder = decoded.decoder
      yield* this.armEscapeTimer()
      for (const key of decoded.keys) {
        const outcome = yield* this.onKey(key)
        if (outcome !== undefined) return outcome
      }
      this.render()
      return undefined
    })
  }

  /** A read that ended inside an escape sequence is settled by the next read, or by this timer. */
  private armEscapeTimer(): Effect.Effect<void> {
    const { escapeTimer, events } = this.io
    if (this.decoder.paste !== undefined || this.decoder.pending === "") return FiberHandle.clear(escapeTimer)
    return FiberHandle.run(escapeTimer, Effect.asVoid(escapeSettle(events))).pipe(Effect.asVoid)
  }

  /** Suspended, so that the state changes happen when the loop runs the effect, not when it is built. */
  private onKey(key: Screen.Key): Effect.Effect<Outcome> {
    return Effect.suspend(() => this.keyAction(key))
  }

  private keyAction(key: Screen.Key): Effect.Effect<Outcome> {
    switch (key._tag) {
      case "Text":
        return this.edit(Screen.typeText(this.input, key.text))
      case "Newline":
        return this.edit(Screen.typeText(this.input, "\n"))
      case "Paste":
        if (Screen.shouldCollapsePaste(key.text)) this.pastes++
        return this.edit(Screen.pasteText(this.input, key.text, this.pastes))
      case "Backspace":
        return this.edit(Screen.eraseLast(this.input))
      case "Enter":
        // Claude Code: a trailing backslash makes Enter insert a newline. Enter while busy does nothing.
        if (Screen.endsWithBackslash(this.input)) return this.edit(Screen.backslashToNewline(this.input))
        return this.busy === undefined ? this.submit() : carryOn
      case "CtrlC":
        if (this.busy !== undefined) return this.interrupt()
        return this.input.length > 0 ? this.edit(Screen.emptyInput) : Effect.succeed(0)
      case "CtrlD":
        return this.input.length === 0 && this.busy === undefined ? Effect.succeed(0) : carryOn
      case "Escape":
        return this.busy !== undefined ? this.interrupt() : carryOn
    }
  }

  private edit(input: Screen.PromptInput): Effect.Effect<Outcome> {
    this.input = input
    return carryOn
  }

  private submit(): Effect.Effect<Outcome> {
    const prompt = Screen.inputText(this.input)
    const command = prompt.trim()
    if (command === "") return carryOn
    this.input = Screen.emptyInput
    if (command === "/exit" || command === "/quit") return Effect.succeed(0)
    if (command === "/clear") return step(() => this.clearConversation())
    return this.startTurn(prompt)
  }

  private clearConversation(): void {
    this.conversation = freshConversation(randomUUID())
    this.publish("idle")
    this.render()
    this.hook("SessionStart", { source: "clear" })
  }

  private startTurn(prompt: string): Effect.Effect<Outcome> {
    const startedAt = Date.now()
    // The first prompt creates the transcript: a conversation never prompted has nothing to resume.
    this.append(Screen.userEntry(this.context(startedAt), prompt))
    const { turns } = this.conversation
    this.conversation = { ...this.conversation, turns: [...turns, { prompt, reply: [] }], summary: undefined }
    // As Claude Code 2.1 does: the prompt's id in UserPromptSubmit, and the same id in its turn's Stop.
    const promptId = randomUUID()
    this.hook("UserPromptSubmit", { prompt, prompt_id: promptId })
    if (this.limitReached(prompt)) return step(() => this.hitLimit())
    if (prompt.includes("[api-error]")) return step(() => this.hitApiError())
    const turn = ++this.turnCount
    this.busy = { turn, prompt, startedAt, promptId }
    this.frame = 0
    this.publish("busy")
    const clock = turnClock(this.io.events, this.io.options.workMs, turn)
    return FiberHandle.run(this.io.turnClock, clock).pipe(Effect.as(undefined))
  }

  private interrupt(): Effect.Effect<Outcome> {
    return FiberHandle.clear(this.io.turnClock).pipe(
      Effect.zipRight(step(() => this.finishTurn(Screen.INTERRUPTED_REPLY))),
    )
  }

  private finishTurn(reply: string): void {
    const busy = this.busy
    if (busy === undefined) return
    this.busy = undefined
    this.setLastReply([reply])
    this.append(Screen.assistantEntry(this.context(Date.now()), reply))
    this.conversation = { ...this.conversation, summary: Screen.bakedLine(Date.now() - busy.startedAt) }
    // Status and screen first: a Stop hook may make ccl look at both at once.
    this.publish("idle")
    this.render()
    this.hook("Stop", { stop_hook_active: false, last_assistant_message: reply, prompt_id: busy.promptId })
    this.io.statusLine(this.conversation.sessionId)
  }

  private limitReached(prompt: string): boolean {
    return prompt.includes("[limit]") || fs.existsSync(this.io.files.limitFlag)
  }

  /** A usage-limit hit ends the turn at once: the limit lines, an API error entry, StopFailure (not Stop). */
  private hitLimit(): void {
    this.endInError("rate_limit", [limitLineOf(this.io.files.quota), Screen.UPGRADE_LINE])
  }

  /** An API error that is not a limit (`[api-error]`) ends the turn the same way, as server_error. */
  private hitApiError(): void {
    this.endInError("server_error", [Screen.API_ERROR_LINE])
  }

  private endInError(error: string, lines: ReadonlyArray<string>): void {
    this.setLastReply(lines)
    this.append(Screen.limitEntry(this.context(Date.now()), error, lines[0]))
    this.publish("idle")
    this.render()
    this.hook("StopFailure", { error, last_assistant_message: lines[0] })
    this.io.statusLine(this.conversation.sessionId)
  }

  private setLastReply(reply: ReadonlyArray<string>): void {
    const turns = this.conversation.turns
    const last = turns[turns.length - 1]
    if (last === undefined) return
    this.conversation = { ...this.conversation, turns: [...turns.slice(0, -1), { ...last, reply }] }
  }

  private context(at: number): Screen.EntryContext {
    const { sessionId } = this.conversation
    return { sessionId, cwd: this.io.options.cwd, timestamp: new Date(at).toISOString() }
  }

  private append(entry: object): void {
    appendEntry(this.io.files.transcript(this.conversation.sessionId), entry)
  }

  private publish(status: "idle" | "busy"): void {
    this.io.writeStatus(statusRecord(this.io.options, this.conversation.sessionId, status))
  }

  private hook(event: HookEvent, fields: Record<string, unknown>): void {
    const { sessionId } = this.conversation
    runHooks(this.io.files, { sessionId, cwd: this.io.options.cwd }, event, fields)
  }

  private render(): void {
    const { header, turns, summary } = this.conversation
    const view: Screen.ScreenView = {
      header,
      turns,
      summary,
      spinnerFrame: this.busy === undefined ? undefined : this.frame,
      input: Screen.inputDisplay(this.input),
    }
    redraw(Screen.renderScreen(view, terminalSize()))
  }
}
