import type { HookSignal } from "./SessionSignals.js"

/** What a session relaunched by a swap must show once its agent is up: the swap it belongs to, the id expected. */
export interface PendingVerification {
  /** The swap's `started_at` (its key in the history). */
  readonly swap: string
  readonly home: string
  readonly id: string
}

/** What the daemon knows of each session it runs. One daemon per queue owns this table. */
export interface TaskInFlight {
  readonly id: string
  readonly attempt: number
  /** This dispatch's id (fencing): a completion for another dispatch of the same task is ignored. */
  readonly dispatch: string
  /** The agent's id for the prompt that carries this task (UserPromptSubmit's `prompt_id`), once its hook said. */
  promptId?: string | undefined
  /** When the task was first sent (ms): the footer's started_at. */
  readonly startedAt: number
  /** When the latest prompt was sent (ms): hook events older than this belong to an earlier turn (fencing). */
  readonly sentAt: number
  /** When the watchdog flags it: the task's `timeout`, else watchdog.stale_after, from the first send. */
  readonly deadlineAt: number
  /** The deadline is the task's own `timeout:`: past it the attempt fails (else watchdog.on_stale decides). */
  readonly timed?: boolean | undefined
  /** The screen has shown the agent busy since the prompt (for idle-after-busy completion). */
  sawBusy: boolean
  /** "✻ Baked for" lines on screen just before the prompt: a turn too quick to be seen busy adds one. */
  doneLinesBefore: number
}

export interface SessionRecord {
  readonly name: string
  readonly kind: "pool" | "dedicated"
  readonly cwd: string
  /** Account the agent was launched under. */
  account: string | undefined
  /** The conversation's UUID: chosen by ccl at launch, updated by SessionStart hooks (e.g. after /clear). */
  conversationId: string | undefined
  /** Where conversationId came from: a hook outranks the id ccl chose at launch (a /clear starts a new one). */
  conversationFrom: "hook" | "launch" | undefined
  /**
   * starting: launched, not seen idle yet; ready: idle, may take a task; working: has a task; clearing: its task
   * filed, /clear sent, ready once the cleared conversation shows; resuming: relaunched with --resume after a
   * failover, told to continue its task once idle; limited: hit the usage limit; shell: left at its shell prompt
   * on purpose (no valid resume id); dead: its tmux session is gone.
   */
  phase: "starting" | "ready" | "working" | "clearing" | "resuming" | "limited" | "shell" | "dead"
  /**
   * The conversation holds no task yet (a new agent, or a /clear confirmed on screen): a dispatch into it is
   * paste + Enter. Otherwise (adopted, resumed, fresh_context off) a dispatch clears it first when configured.
   */
  contextFresh?: boolean
  task: TaskInFlight | undefined
  /**
   * Fencing without a prompt id: turns of this (hooked) agent filed from the screen whose Stop hook has not come
   * yet. The next Stops that name no known prompt are theirs, not the next task's.
   */
  owedStops: number
  /** Prompt ids of turns already filed (the latest few): a Stop naming one is late, never the next task's. */
  filedPrompts: ReadonlyArray<string>
  /** When ccl launched (or adopted) the agent: hook events from before belong to the previous agent. */
  launchedAt: number
  /** A hook of this agent has arrived: its turn ends are reported, so its screen is read less often. */
  hooked?: boolean
  /** The last hook event of this agent, for combineSignals. */
  lastHook?: HookSignal
  /** The conversation's transcript, as Claude Code's hooks name it. */
  transcriptPath?: string
  /** When its screen was last read (ms). */
  screenAt?: number
  /**
   * limitLineCount of the screen when the agent was first seen ready, or last prompted (the lowest since, as lines
   * scroll away): limit lines up to that many are history (a --resume redraws the old hit), not a new limit.
   */
  limitLinesBefore: number
  /** The last screen read while starting or resuming: ready only when two reads in a row show the same idle screen. */
  lastScreen?: string
  /** Launches in a row whose agent never reached its prompt (it exited at once): relaunching stops at a few. */
  failedLaunches: number
  /** A dead session is looked at again (release, relaunch) from this time on (ms). */
  retryAt?: number
  /** Set by a swap that relaunched this session: checked once its agent is ready. */
  verify?: PendingVerification | undefined
  /** Why the operator must act (a start-up dialog, an agent that keeps exiting): shown by `ccl status`. */
  needsOperator?: string | undefined
  /** Last state read from any signal, and which signal said so. */
  state: string
  decidedBy: string
  since: number
}

/** What a listener of the table is told of a session: the fields an operator watches. */
export type SessionLook = Pick<
  SessionRecord,
  "name" | "kind" | "phase" | "state" | "account" | "needsOperator"
> & {
  readonly task: string | undefined
}

const look = (r: SessionRecord): SessionLook => ({
  name: r.name,
  kind: r.kind,
  phase: r.phase,
  state: r.state,
  account: r.account,
  needsOperator: r.needsOperator,
  task: r.task?.id,
})

const sameLook = (a: SessionLook, b: SessionLook) =>
  a.phase === b.phase &&
  a.state === b.state &&
  a.account === b.account &&
  a.needsOperator === b.needsOperator &&
  a.task === b.task

export class SessionTable {
  private readonly records = new Map<string, SessionRecord>()

  /** `changed` hears of each session whose phase, state, account, task or operator need changed (events). */
  constructor(private readonly changed: (now: SessionLook) => void = () => {}) {}

  upsert(record: SessionRecord): void {
    this.records.set(record.name, record)
    this.changed(look(record))
  }

  get(name: string): SessionRecord | undefined {
    return this.records.get(name)
  }

  all(): ReadonlyArray<SessionRecord> {
    return [...this.records.values()]
  }

  /** A pool session that can take a task now. */
  freePool(): SessionRecord | undefined {
    return this.all().find((s) => s.kind === "pool" && s.phase === "ready" && s.task === undefined)
  }

  set(name: string, change: Partial<SessionRecord>, now: number): void {
    const r = this.records.get(name)
    if (r === undefined) return
    if (change.phase !== undefined && change.phase !== r.phase) r.since = now
    const before = look(r)
    Object.assign(r, change)
    const after = look(r)
    if (!sameLook(before, after)) this.changed(after)
  }

  /** JSON for the API and `ccl status`. */
  view() {
    return this.all().map((s) => ({
      name: s.name,
      kind: s.kind,
      account: s.account ?? null,
      phase: s.phase,
      state: s.state,
      decided_by: s.decidedBy,
      task: s.task?.id ?? null,
      attempt: s.task?.attempt ?? null,
      conversation_id: s.conversationId ?? null,
      since: new Date(s.since).toISOString(),
      needs_operator: s.needsOperator ?? null,
    }))
  }
}
