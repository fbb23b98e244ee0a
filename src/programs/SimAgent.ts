// `ccl sim-agent`: a stand-in for Claude Code 2.1 in a tmux pane, so ccl can be tested and demoed without
// spending quota. It reproduces what ccl observes: the screen, the transcript JSONL, the live status file
// (`<config>/sessions/<pid>.json`) and the SessionStart, Stop and StopFailure hooks.
//
// One fiber owns all state and handles events one at a time from a queue: terminal reads, the turn clock,
// the escape-key timeout and signals. Everything it does in between is synchronous, so there are no races.

import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Data, Duration, Effect, FiberHandle, Queue } from "effect"
import * as Screen from "../domain/SimAgentScreen.js"
import { writeFileDurably } from "../layers/DurableFile.js"

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

/** `--resume` of a conversation that has no transcript under this account home and cwd. */
export class ConversationNotFound extends Data.TaggedError("ConversationNotFound")<{
  readonly sessionId: string
  readonly message: string
}> {}

const CLEAR_SCREEN = "\x1b[2J\x1b[H"
const BRACKETED_PASTE_ON = "\x1b[?2004h"
const BRACKETED_PASTE_OFF = "\x1b[?2004l"
const SPINNER_EVERY = Duration.millis(100)
/** A lone ESC is the Escape key only if nothing follows it this quickly (else it starts a sequence). */
const ESCAPE_WAIT = Duration.millis(40)
const HOOK_TIMEOUT_MS = 10_000

type AgentEvent =
  | { readonly _tag: "Input"; readonly data: string }
  | { readonly _tag: "InputIdle" }
  | { readonly _tag: "Tick" }
  | { readonly _tag: "WorkDone"; readonly turn: number }
  | { readonly _tag: "Resize" }
  | { readonly _tag: "Hangup"; readonly code: number }

interface AgentFiles {
  readonly transcript: (sessionId: string) => string
  readonly status: string
  readonly settings: string
  readonly limitFlag: string
}

const agentFiles = (o: SimAgentOptions): AgentFiles => ({
  transcript: (id) => path.join(o.configDir, "projects", Screen.projectSlug(o.cwd), `${id}.jsonl`),
  status: path.join(o.configDir, "sessions", `${process.pid}.json`),
  settings: path.join(o.configDir, "settings.json"),
  limitFlag: path.join(o.configDir, "LIMIT"),
})

interface Conversation {
  readonly sessionId: string
  /** True once resumed: SessionStart says "resume". */
  readonly resumed: boolean
  readonly header: string | undefined
  readonly turns: ReadonlyArray<Screen.Turn>
  readonly summary: string | undefined
}

const freshConversation = (sessionId: string): Conversation => ({
  sessionId,
  resumed: false,
  header: undefined,
  turns: [],
  summary: undefined,
})

const loadConversation = (files: AgentFiles, sessionId: string, configDir: string) =>
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

// ── Terminal, signals, files, hooks ──────────────────────────────────────────────────────────────────────────

const ignore = () => {}

/** Best effort: after a hangup the terminal is gone and writes fail. */
const write = (text: string) => {
  try {
    process.stdout.write(text)
  } catch {
    // nothing to show it on
  }
}

/** Raw mode and bracketed paste while the agent runs, every read sent to the queue; restored on exit. */
const acquireTerminal = (offer: (e: AgentEvent) => void) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const stdin = process.stdin
      const onData = (data: string) => offer({ _tag: "Input", data })
      const onEnd = () => offer({ _tag: "Hangup", code: 0 })
      const onResize = () => offer({ _tag: "Resize" })
      if (stdin.isTTY) stdin.setRawMode(true)
      stdin.setEncoding("utf8")
      stdin.on("data", onData).on("end", onEnd).on("error", onEnd)
      process.stdout.on("resize", onResize).on("error", ignore)
      stdin.resume()
      write(BRACKETED_PASTE_ON)
      return { onData, onEnd, onResize }
    }),
    (h) =>
      Effect.sync(() => {
        const stdin = process.stdin
        write(`${BRACKETED_PASTE_OFF}\r\n`)
        stdin.off("data", h.onData).off("end", h.onEnd).off("error", h.onEnd)
        process.stdout.off("resize", h.onResize)
        if (stdin.isTTY) stdin.setRawMode(false)
        // A paused stdin no longer keeps the process alive: it can exit once the program returns.
        stdin.pause()
      }),
  )

/** SIGHUP (the pane closed) and SIGTERM end the program through its finalizers, like an exit. */
const acquireSignals = (offer: (e: AgentEvent) => void) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const onHup = () => offer({ _tag: "Hangup", code: 129 })
      const onTerm = () => offer({ _tag: "Hangup", code: 143 })
      process.on("SIGHUP", onHup).on("SIGTERM", onTerm)
      return { onHup, onTerm }
    }),
    (h) => Effect.sync(() => process.off("SIGHUP", h.onHup).off("SIGTERM", h.onTerm)),
  )

interface StatusRecord {
  readonly pid: number
  readonly sessionId: string
  readonly cwd: string
  readonly status: "idle" | "busy"
  readonly tmux: string | null
  readonly updatedAt: string
}

/** The live status file, written whole (temp + rename) so a reader never sees half of it; removed on exit. */
const acquireStatusFile = (file: string) =>
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

type HookEvent = "SessionStart" | "UserPromptSubmit" | "Stop" | "StopFailure"

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
const spawnHook = (command: string, input: string, cwd: string) => {
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

// ── The agent ────────────────────────────────────────────────────────────────────────────────────────────────

interface Busy {
  readonly turn: number
  readonly prompt: string
  readonly startedAt: number
  /** The id its UserPromptSubmit and Stop hooks carry. */
  readonly promptId: string
}

interface AgentIO {
  readonly options: SimAgentOptions
  readonly files: AgentFiles
  readonly events: Queue.Queue<AgentEvent>
  readonly writeStatus: (record: StatusRecord) => void
  /** The running turn's clock (spinner ticks, then WorkDone); cleared on interrupt. */
  readonly turnClock: FiberHandle.FiberHandle<void, never>
  /** Settles a lone ESC when no more input follows. */
  readonly escapeTimer: FiberHandle.FiberHandle<void, never>
}

/** An exit code once the agent is done, else undefined. */
type Outcome = number | undefined
const carryOn = Effect.succeed<Outcome>(undefined)
const step = (f: () => void): Effect.Effect<Outcome> => Effect.sync(() => f()).pipe(Effect.zipRight(carryOn))

/**
 * The agent's state and behaviour. Only the loop fiber calls it, one event at a time; file writes, rendering
 * and hook launches are synchronous, so each event's effects are complete before the next one is handled.
 */
class Agent {
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
    const settle = Effect.sleep(ESCAPE_WAIT).pipe(Effect.zipRight(Queue.offer(events, { _tag: "InputIdle" })))
    return FiberHandle.run(escapeTimer, Effect.asVoid(settle)).pipe(Effect.asVoid)
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
    const turn = ++this.turnCount
    this.busy = { turn, prompt, startedAt, promptId }
    this.frame = 0
    this.publish("busy")
    return FiberHandle.run(this.io.turnClock, this.clock(turn)).pipe(Effect.as(undefined))
  }

  /** Spinner ticks every 100 ms until the work time is up, then WorkDone. */
  private clock(turn: number): Effect.Effect<void> {
    const { events, options } = this.io
    const ticks = Effect.forever(
      Effect.sleep(SPINNER_EVERY).pipe(Effect.zipRight(Queue.offer(events, { _tag: "Tick" }))),
    )
    return Effect.sleep(Duration.millis(options.workMs)).pipe(
      Effect.raceFirst(ticks),
      Effect.zipRight(Queue.offer(events, { _tag: "WorkDone", turn })),
      Effect.asVoid,
    )
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
  }

  private limitReached(prompt: string): boolean {
    return prompt.includes("[limit]") || fs.existsSync(this.io.files.limitFlag)
  }

  /** A usage-limit hit ends the turn at once: the limit lines, an API error entry, StopFailure (not Stop). */
  private hitLimit(): void {
    this.setLastReply([Screen.LIMIT_LINE, Screen.UPGRADE_LINE])
    this.append(Screen.limitEntry(this.context(Date.now())))
    this.publish("idle")
    this.render()
    this.hook("StopFailure", { error: "rate_limit", last_assistant_message: Screen.LIMIT_LINE })
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
    const file = this.io.files.transcript(this.conversation.sessionId)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.appendFileSync(file, `${JSON.stringify(entry)}\n`)
  }

  private publish(status: "idle" | "busy"): void {
    const { options } = this.io
    this.io.writeStatus({
      pid: process.pid,
      sessionId: this.conversation.sessionId,
      cwd: options.cwd,
      status,
      tmux: options.tmuxPane ?? null,
      updatedAt: new Date().toISOString(),
    })
  }

  private hook(event: HookEvent, fields: Record<string, unknown>): void {
    const { options, files } = this.io
    const subject = typeof fields.source === "string" ? fields.source : (fields.error as string | undefined)
    const commands = hookCommands(files.settings, event, subject)
    if (commands.length === 0) return
    const input = JSON.stringify({
      session_id: this.conversation.sessionId,
      transcript_path: files.transcript(this.conversation.sessionId),
      cwd: options.cwd,
      hook_event_name: event,
      ...fields,
    })
    for (const command of commands) spawnHook(command, input, options.cwd)
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
    const size = { rows: process.stdout.rows ?? 40, cols: process.stdout.columns ?? 120 }
    write(CLEAR_SCREEN + Screen.renderScreen(view, size).join("\r\n"))
  }
}

/**
 * Runs the simulated agent on this process's terminal until /exit, Ctrl-C or Ctrl-D on an empty prompt (0),
 * or a hangup. Returns the exit code; fails only when `--resume` names a conversation that does not exist.
 */
export const runSimAgent = (options: SimAgentOptions): Effect.Effect<number, ConversationNotFound> =>
  Effect.gen(function* () {
    const files = agentFiles(options)
    const conversation =
      options.resume === undefined
        ? freshConversation(options.sessionId ?? randomUUID())
        : yield* loadConversation(files, options.resume, options.configDir)
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const events = yield* Queue.unbounded<AgentEvent>()
        const offer = (e: AgentEvent) => {
          Queue.unsafeOffer(events, e)
        }
        yield* acquireTerminal(offer)
        yield* acquireSignals(offer)
        const writeStatus = yield* acquireStatusFile(files.status)
        const turnClock = yield* FiberHandle.make<void, never>()
        const escapeTimer = yield* FiberHandle.make<void, never>()
        const agent = new Agent({ options, files, events, writeStatus, turnClock, escapeTimer }, conversation)
        agent.start()
        const outcome = yield* Queue.take(events).pipe(
          Effect.flatMap(agent.handle),
          Effect.repeat({ until: (o): o is number => o !== undefined }),
        )
        return outcome ?? 0
      }),
    )
  })
