import { randomUUID } from "node:crypto"
import * as path from "node:path"
import { Duration, Effect, Fiber, Option, Queue } from "effect"
import { isClearedScreen } from "../../domain/ClearedScreen.js"
import type { HookRecord } from "../../domain/HookRecord.js"
import { launchLine, taskPrompt } from "../../domain/LaunchCommand.js"
import type { ResultFooter } from "../../domain/ResultFooter.js"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { classifyScreen, isDoneLine, limitLineCount, screenLines } from "../../domain/ScreenState.js"
import { combineSignals, type HookSignal, hookState } from "../../domain/SessionSignals.js"
import { detectUsageLimit } from "../../domain/UsageLimit.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { Router } from "../../services/Router.js"
import { type PendingTask, TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { liveStatus, type PaneRef } from "./LiveStatusFile.js"
import { readResumeId, writeResumeId } from "./ResumeIdFile.js"
import { type SessionRecord, SessionTable, type TaskInFlight } from "./SessionTable.js"
import type { InFlight, StateFile } from "./StateFile.js"
import { verifySwappedSession } from "./SwapVerification.js"
import { hasTranscript, transcriptFile } from "./Transcript.js"
import { transcriptLimitSince } from "./TranscriptLimit.js"

/** "✻ Baked for 1s" lines on a screen: one more than before the prompt means the turn ended. */
const doneLines = (screen: string): number => screenLines(screen).filter(isDoneLine).length

/** What a pane runs when the agent has exited and the session's shell is back. */
const SHELLS = new Set(["bash", "zsh", "sh", "dash", "fish", "ksh"])

/** How long after a turn filed from the screen its own (late) Stop hook may still arrive. */
const LATE_STOP_MS = 5_000

/** How long a launched agent may sit at a bare shell before it is launched again (generous: a loaded machine). */
const SHELL_GRACE_MS = 10_000

const HOOK_EVENTS = new Set(["SessionStart", "Stop", "StopFailure", "Notification", "UserPromptSubmit"])

/** How long a dead session whose relaunch (or task release) failed waits before the next try. */
const DEAD_RETRY_MS = 5_000

/** Launches in a row whose agent exits before its prompt (a dialog answered "No", a bad flag): then ask the operator. */
const MAX_FAILED_LAUNCHES = 3

/** How often the screen of a working session with working hooks is read (the fallback for a lost hook). */
const HOOKED_SCREEN_MS = 2_000

/** What a working session that was resumed after a failover is told. */
export const continuePrompt = (taskId: string): string =>
  `[ccl task ${taskId}] The usage limit interrupted this task and the session moved to another account. Continue the task where you left off.`

/** A task in flight as state.json keeps it. */
export const toInFlight = (t: TaskInFlight): InFlight => ({
  task: t.id,
  attempt: t.attempt,
  sent_at: t.sentAt,
  started_at: t.startedAt,
  deadline_at: t.deadlineAt,
})

/** A task in flight from state.json (the screen-reading fields start afresh). */
export const fromInFlight = (f: InFlight, staleAfterMs: number) => ({
  id: f.task,
  attempt: f.attempt,
  sentAt: f.sent_at,
  startedAt: f.started_at ?? f.sent_at,
  deadlineAt: f.deadline_at ?? (f.started_at ?? f.sent_at) + staleAfterMs,
})

/** A session hit its account's usage limit (screen or hook): the failover's trigger. */
export interface LimitHit {
  readonly session: string
  readonly account: string | undefined
  readonly resetAt: number | undefined
  readonly via: "screen" | "hook" | "transcript"
}

/** How a session is (re)started: a new conversation, a resumed one (keeping its task), or left at its shell. */
export type LaunchMode =
  | { readonly mode: "new" }
  | { readonly mode: "resume"; readonly id: string; readonly task?: TaskInFlight | undefined }
  | { readonly mode: "shell"; readonly why: string }

/**
 * The daemon's core: starts and adopts sessions, hands pending tasks to free pool sessions (or to secutools),
 * files a task when its session's turn ends (Stop hook, or idle-after-busy on screen), and gives back the task
 * of a session that died. Every entry point runs under one lock, so the table never sees interleaved updates.
 */
export const makeDispatcher = (state: StateFile) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const tmux = yield* TmuxPool
    const router = yield* Router
    const settings = yield* AppConfig
    const delegation = yield* Effect.serviceOption(Delegation)
    const table = new SessionTable()
    const lock = yield* Effect.makeSemaphore(1)
    const wake = yield* Queue.sliding<void>(1)
    const limits = yield* Queue.unbounded<LimitHit>()
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const counters = { dispatched: 0, completed: 0, released: 0, failed: 0 }
    /** Dispatching stops while a failover runs, and until `pausedUntil` when every account is cooling down. */
    const control = { swapping: false, pausedUntil: 0, stopping: false }
    /** Prompts being typed (outside the lock): SIGTERM lets them finish. */
    const deliveries = new Set<Fiber.RuntimeFiber<void, never>>()
    /** Tasks whose submit to secutools is under way, and their fibers (interrupted at SIGTERM: the marker
     * keeps the idempotency key, and the reaper submits again). */
    const submitting = new Set<string>()
    const submits = new Set<Fiber.RuntimeFiber<void, never>>()
    /** Tasks claimed into active/ whose prompt is being typed: held by no session yet, not orphans. */
    const delivering = new Set<string>()

    /** Which session holds which task, kept in state.json so the next daemon can adopt it (SIGTERM, crash). */
    const remember = (name: string, task: TaskInFlight | undefined) =>
      state.update((s) => {
        const inflight = { ...s.inflight }
        if (task === undefined) delete inflight[name]
        else inflight[name] = toInFlight(task)
        return { ...s, inflight }
      })

    /**
     * A task left the session for good (done/ or failed/): its holder and its attempt count go in one write, so
     * state.json holds nothing per finished task (fault 23; a later completion finds no task in active/ anyway).
     */
    const forgetTask = (name: string | undefined, id: string) =>
      state.update((s) => {
        const inflight = { ...s.inflight }
        if (name !== undefined && inflight[name]?.task === id) delete inflight[name]
        const attempts = { ...s.attempts }
        delete attempts[id]
        return { ...s, inflight, attempts }
      })

    /** Hooks run `ccl hook` inside the session: they must find this daemon (its config, API and state). */
    const sessionEnv = (name: string): Record<string, string> => ({
      CCL_SESSION: name,
      ...(settings.configFile === undefined ? {} : { CCL_CONFIG: settings.configFile }),
      CCL_API_HOST: settings.api.host,
      CCL_API_PORT: String(settings.api.port),
      CCL_STATE: settings.state,
    })

    const account = () =>
      settings.accounts.find((a) => a.name === state.get().active_account) ?? settings.accounts[0]

    /**
     * Creates the session if needed (killing it first when `recreate`) and types the agent's launch line into its
     * shell: a new conversation, a resumed one, or nothing at all (left at the shell). Returns the conversation id.
     */
    const launch = (
      name: string,
      cwd: string,
      kind: SessionRecord["kind"],
      how: LaunchMode = { mode: "new" },
      recreate = false,
    ) =>
      Effect.gen(function* () {
        const acct = account()
        const id = how.mode === "resume" ? how.id : randomUUID()
        if (recreate) yield* tmux.kill(name)
        const existing = recreate ? undefined : (yield* tmux.list).find((s) => s.name === name)
        if (existing === undefined) yield* tmux.create({ name, cwd, env: sessionEnv(name) })
        const line =
          how.mode === "shell"
            ? undefined
            : launchLine({
                home: acct?.home,
                command: settings.agent.command,
                args: settings.agent.args,
                conversation: { mode: how.mode, id },
              })
        // Never type a launch line into a running agent: only into the session's shell.
        if (line !== undefined && (existing === undefined || SHELLS.has(existing.currentCommand)))
          yield* tmux.sendText(name, line)
        else if (line !== undefined)
          yield* Effect.logWarning(
            `session ${name} runs ${existing?.currentCommand}, not a shell: not launching into it`,
          )
        else if (how.mode === "shell")
          yield* Effect.logWarning(`session ${name} left at its shell prompt: ${how.why}`)
        const task = how.mode === "resume" ? how.task : undefined
        // A dedicated conversation must survive a tmux server that dies: its id is on disk from the start.
        if (kind === "dedicated" && how.mode !== "shell") writeResumeId(settings.state, name, id)
        table.upsert({
          name,
          kind,
          cwd,
          account: acct?.name,
          conversationId: how.mode === "shell" ? undefined : id,
          conversationFrom: how.mode === "shell" ? undefined : "launch",
          phase: how.mode === "shell" ? "shell" : how.mode === "resume" ? "resuming" : "starting",
          task,
          state: how.mode === "shell" ? "shell" : "starting",
          decidedBy: "launch",
          lateStopUntil: 0,
          launchedAt: Date.now(),
          since: Date.now(),
          limitLinesBefore: 0,
          failedLaunches: 0,
        })
        if (task === undefined) yield* remember(name, undefined)
        return how.mode === "shell" ? undefined : id
      })

    /**
     * How a dedicated session whose tmux session is gone comes back: its last conversation resumed when it has a
     * transcript (the operator's conversation is never lost to a dead tmux server), else a new one.
     */
    const dedicatedMode = (name: string, cwd: string): LaunchMode => {
      const saved = readResumeId(settings.state, name)
      const home = account()?.home
      return saved.kind === "valid" && home !== undefined && hasTranscript(home, cwd, saved.id)
        ? { mode: "resume", id: saved.id }
        : { mode: "new" }
    }

    /** Pool sessions ccl-pool-1..N and the dedicated ones: adopted when they exist, else created and launched. */
    const startSessions = Effect.gen(function* () {
      const wanted = [
        ...Array.from({ length: settings.pool.size }, (_, i) => ({
          name: `${settings.pool.prefix}-${i + 1}`,
          cwd: settings.pool.cwd,
          kind: "pool" as const,
        })),
        ...settings.dedicated.map((d) => ({ name: d.name, cwd: d.cwd, kind: "dedicated" as const })),
      ]
      const active = new Set((yield* queue.list("active")).map((t) => t.id))
      for (const s of wanted) {
        if (table.get(s.name) !== undefined) continue // relaunched by an interrupted failover just finished
        if (yield* tmux.has(s.name)) {
          // A task the session held when the last daemon stopped is still its own: its turn may be running.
          const held = state.get().inflight[s.name]
          const screen = yield* tmux.capture(s.name)
          const task =
            held !== undefined && active.has(held.task)
              ? {
                  ...fromInFlight(held, settings.watchdog.staleAfterMs),
                  sawBusy: false,
                  doneLinesBefore: doneLines(screen),
                }
              : undefined
          table.upsert({
            name: s.name,
            kind: s.kind,
            cwd: s.cwd,
            account: account()?.name,
            conversationId: undefined,
            conversationFrom: undefined,
            phase: task === undefined ? "starting" : "working",
            task,
            state: "adopted",
            decidedBy: "adopt",
            lateStopUntil: 0,
            launchedAt: 0,
            since: Date.now(),
            // An adopted agent may show any old limit: what is on screen now is history.
            limitLinesBefore: limitLineCount(screen),
            failedLaunches: 0,
          })
          if (task === undefined) yield* remember(s.name, undefined)
          yield* Effect.logInfo(`adopted session ${s.name}${task === undefined ? "" : ` (task ${task.id})`}`)
        } else
          yield* launch(
            s.name,
            s.cwd,
            s.kind,
            s.kind === "dedicated" ? dedicatedMode(s.name, s.cwd) : undefined,
          )
      }
      yield* releaseOrphans(active)
    })

    /**
     * Tasks in active/ that no session holds and no delivery is typing (a daemon stopped between claim and
     * paste, a session gone, a give-back that failed): back to pending/, their attempt already counted. At start,
     * and every sweep (`sweepOrphans`), so a task is never stranded in active/ until the next restart.
     */
    const releaseOrphans = (active: Iterable<string>) =>
      Effect.gen(function* () {
        const held = new Set(table.all().flatMap((r) => (r.task === undefined ? [] : [r.task.id])))
        for (const id of active) {
          if (held.has(id) || delivering.has(id)) continue
          const released = yield* queue
            .release(id)
            .pipe(
              Effect.catchAll((e) =>
                Effect.as(
                  Effect.logError(
                    `task ${id} is in active/ with no holder; giving it back failed: ${e.message}`,
                  ),
                  false,
                ),
              ),
            )
          if (!released) continue
          counters.released++
          yield* Effect.logWarning(`task ${id} was in active/ with no session holding it: back to pending/`)
        }
      })

    const fileTask = (r: SessionRecord, via: string, text: string | undefined) =>
      Effect.gen(function* () {
        const t = r.task
        if (t === undefined) return
        const footer: ResultFooter = {
          status: "completed",
          route: "local",
          provider: "claude-code",
          session: r.name,
          ...(r.account === undefined ? {} : { account: r.account }),
          attempt: t.attempt,
          ...(r.conversationId === undefined ? {} : { resume_id: r.conversationId }),
          started_at: new Date(t.startedAt).toISOString(),
          finished_at: new Date().toISOString(),
          ...(text === undefined || text === "" ? {} : { text }),
        }
        yield* queue.complete(t.id, footer).pipe(
          Effect.tap(() =>
            Effect.logInfo(`task ${t.id} done on ${r.name} (attempt ${t.attempt}, via ${via})`),
          ),
          Effect.catchTag("TaskNotFound", () => Effect.logWarning(`task ${t.id} was no longer active`)),
        )
        counters.completed++
        table.set(r.name, { task: undefined, phase: "ready" }, Date.now())
        yield* forgetTask(r.name, t.id)
        yield* Queue.offer(wake, undefined)
      })

    /**
     * A session that died mid-task gives its task back (attempt counted; failed/ past pool.max_attempts) and is
     * started again. The task leaves the record only once it is back in the queue, so a step that fails (a queue
     * write, `tmux new-session`) leaves the session dead with its task, and the next look tries again.
     */
    const onDead = (r: SessionRecord) =>
      Effect.gen(function* () {
        const t = r.task
        table.set(r.name, { phase: "dead", state: "dead", decidedBy: "tmux" }, Date.now())
        r.retryAt = Date.now() + DEAD_RETRY_MS
        if (t !== undefined) {
          if (t.attempt >= settings.pool.maxAttempts) {
            yield* queue.release(t.id)
            yield* queue
              .fail(t.id, {
                status: "failed",
                route: "local",
                provider: "claude-code",
                session: r.name,
                attempt: t.attempt,
                finished_at: new Date().toISOString(),
                error: `its session died ${t.attempt} times (pool.max_attempts ${settings.pool.maxAttempts})`,
              })
              .pipe(Effect.catchTag("TaskNotFound", () => Effect.void))
            yield* forgetTask(r.name, t.id)
            counters.failed++
          } else {
            yield* queue.release(t.id)
            counters.released++
          }
          table.set(r.name, { task: undefined }, Date.now())
          yield* Effect.logWarning(
            `session ${r.name} died during task ${t.id} (attempt ${t.attempt}): task given back`,
          )
        }
        yield* launch(
          r.name,
          r.cwd,
          r.kind,
          r.kind === "dedicated" ? dedicatedMode(r.name, r.cwd) : undefined,
        )
        yield* Queue.offer(wake, undefined)
      })

    /**
     * After /clear: waits until the session shows a cleared conversation (isClearedScreen: no turn above the input
     * box) at its idle prompt, on two equal reads 30 ms apart, at most 5 s. Idle and still is not enough: Claude
     * Code 2.1.332 runs its SessionEnd/SessionStart hooks before it wipes the screen, and a task pasted meanwhile
     * ran in the old conversation (one CI run in about five on a loaded machine).
     */
    const settleCleared = (name: string) =>
      Effect.gen(function* () {
        let previous = ""
        let same = 0
        const deadline = Date.now() + 5_000
        while (Date.now() < deadline) {
          const screen = yield* tmux.capture(name)
          same = screen === previous ? same + 1 : 0
          if (
            same >= 1 &&
            isClearedScreen(screen) &&
            classifyScreen(screen, Date.now(), zone).state === "idle"
          )
            return { cleared: true, screen }
          previous = screen
          yield* Effect.sleep(Duration.millis(30))
        }
        return { cleared: false, screen: previous }
      })

    const step = Effect.gen(function* () {
      if (control.stopping || control.swapping || Date.now() < control.pausedUntil) return
      const pending = yield* queue.listPending
      for (const task of pending) {
        const decision = router.decide(task.frontmatter)
        if (decision.route === "delegate") {
          if (Option.isSome(delegation) && !submitting.has(task.id)) {
            // The POST (with its retries) runs outside the lock: a slow platform never holds up local work.
            // The marker, created before the POST, keeps the task out of listPending once it exists.
            submitting.add(task.id)
            const fiber = yield* Effect.forkDaemon(
              delegation.value.submit(task, decision.provider).pipe(
                Effect.tap((s) =>
                  Effect.logInfo(`task ${task.id} delegated to ${s.provider} as job ${s.job_id}`),
                ),
                Effect.catchAll((e) => Effect.logWarning(`task ${task.id} not delegated now: ${e._tag}`)),
                Effect.asVoid,
                Effect.ensuring(Effect.sync(() => submitting.delete(task.id))),
              ),
            )
            submits.add(fiber)
            fiber.addObserver(() => submits.delete(fiber))
          }
          continue
        }
        const free = table.freePool()
        if (free === undefined) continue
        if (!(yield* queue.claim(task.id))) continue
        delivering.add(task.id)
        const attempt = (state.get().attempts[task.id] ?? 0) + 1
        table.set(free.name, { phase: "working" }, Date.now())
        // Typing into one session must not hold up the others: the delivery runs outside the lock and
        // takes it only to commit (who holds the task) and to give the task back on failure.
        const fiber = yield* Effect.forkDaemon(
          Effect.uninterruptible(
            deliver(free, task, attempt).pipe(Effect.ensuring(Effect.sync(() => delivering.delete(task.id)))),
          ),
        )
        deliveries.add(fiber)
        fiber.addObserver(() => deliveries.delete(fiber))
      }
    })

    /** /clear, settle, record the claim durably, paste the prompt: one task into one claimed session. */
    const deliver = (free: SessionRecord, task: PendingTask, attempt: number) =>
      Effect.gen(function* () {
        let screen: string
        if (settings.pool.freshContext) {
          yield* tmux.sendText(free.name, "/clear")
          const settled = yield* settleCleared(free.name)
          if (!settled.cleared) return yield* Effect.fail({ _tag: "ContextNotCleared" as const })
          screen = settled.screen
        } else screen = yield* tmux.capture(free.name)
        const doneLinesBefore = doneLines(screen)
        const limitLinesBefore = limitLineCount(screen)
        const committed = yield* locked(
          Effect.gen(function* () {
            // A failover or a death replaced this session meanwhile: the task goes back (below).
            if (table.get(free.name) !== free || free.phase !== "working") return false
            const now = Date.now()
            free.limitLinesBefore = limitLinesBefore
            free.task = {
              id: task.id,
              attempt,
              startedAt: now,
              sentAt: now,
              deadlineAt: now + (task.frontmatter.timeout ?? settings.watchdog.staleAfterMs),
              sawBusy: false,
              doneLinesBefore,
            }
            // The attempt and who holds the task, in one durable write before the prompt goes out.
            const inFlight = toInFlight(free.task)
            yield* state.update((s) => ({
              ...s,
              attempts: { ...s.attempts, [task.id]: attempt },
              inflight: { ...s.inflight, [free.name]: inFlight },
            }))
            return true
          }),
        )
        if (!committed) return yield* Effect.fail({ _tag: "SessionReplaced" as const })
        yield* tmux.sendText(
          free.name,
          taskPrompt(task.id, path.join(queue.root, "active", `${task.id}.md`), task.body),
        )
        counters.dispatched++
      }).pipe(
        Effect.catchAll((e) =>
          locked(
            Effect.gen(function* () {
              // A failover that kept the task for the resumed session owns it now.
              if (table.all().some((r) => r !== free && r.task?.id === task.id)) return
              yield* Effect.logError(
                `could not send task ${task.id} to ${free.name}: ${e._tag}; giving it back`,
              )
              // A failed give-back is said, and the orphan sweep gives the task back later.
              yield* queue
                .release(task.id)
                .pipe(
                  Effect.catchAll((e) =>
                    Effect.logError(
                      `task ${task.id}: giving it back failed (${e.message}); the orphan sweep retries`,
                    ),
                  ),
                )
              // Enter was never sent: the agent did not get the task, so this try is not an attempt.
              yield* state.update((s) => {
                const inflight = { ...s.inflight }
                if (inflight[free.name]?.task === task.id) delete inflight[free.name]
                return { ...s, attempts: { ...s.attempts, [task.id]: attempt - 1 }, inflight }
              })
              if (table.get(free.name) !== free) return
              table.set(free.name, { phase: "starting", task: undefined }, Date.now())
              // /clear showed no effect in 5 s: a new agent is a fresh context for sure (a pool session keeps
              // nothing worth a conversation once its task is filed), and a stuck `/clear` in its input box is gone.
              if (e._tag === "ContextNotCleared")
                yield* launch(free.name, free.cwd, free.kind, undefined, true).pipe(
                  Effect.catchAll((e) => Effect.logError(`session ${free.name}: relaunch failed: ${e._tag}`)),
                )
            }),
          ),
        ),
      )

    /** A session hit its account's limit: it keeps its task, and the failover (AccountSwap) takes it from here. */
    const onLimit = (r: SessionRecord, resetAt: Date | undefined, via: LimitHit["via"]) =>
      Effect.gen(function* () {
        if (r.phase === "limited") return
        table.set(r.name, { phase: "limited" }, Date.now())
        yield* Effect.logWarning(
          `session ${r.name} hit the usage limit of ${r.account ?? "its account"} (${via})` +
            (resetAt === undefined ? "" : `, resets ${resetAt.toISOString()}`),
        )
        // Claude Code 2.1.234+ would re-send the turn by itself at the reset; ccl resumes it instead (after the
        // failover, or at the reset when every account is spent), so the turn runs once. Esc also closes the weekly
        // limit's menu, which would hold the input.
        yield* tmux
          .sendKey(r.name, "Escape")
          .pipe(Effect.catchAll((e) => Effect.logWarning(`session ${r.name}: Esc not sent: ${e._tag}`)))
        yield* Queue.offer(limits, {
          session: r.name,
          account: r.account,
          resetAt: resetAt?.getTime(),
          via,
        })
      })

    /** The transcript's record of a limit hit since `sinceMs` (when no hook and no screen said so). */
    const transcriptLimit = (r: SessionRecord, sinceMs: number) => {
      const home = settings.accounts.find((a) => a.name === r.account)?.home
      const file =
        r.transcriptPath ??
        (home === undefined || r.conversationId === undefined
          ? undefined
          : transcriptFile(home, r.cwd, r.conversationId))
      return file === undefined ? undefined : transcriptLimitSince(file, sinceMs, zone)
    }

    /** A session resumed after a failover is idle again: tell it to carry on with its task. */
    const continueTask = (r: SessionRecord) =>
      Effect.gen(function* () {
        const t = r.task
        if (t === undefined) {
          table.set(r.name, { phase: "ready" }, Date.now())
          return yield* Queue.offer(wake, undefined)
        }
        const screen = yield* tmux.capture(r.name)
        const doneLinesBefore = doneLines(screen)
        r.limitLinesBefore = limitLineCount(screen)
        r.task = { ...t, sentAt: Date.now(), sawBusy: false, doneLinesBefore }
        table.set(r.name, { phase: "working" }, Date.now())
        yield* remember(r.name, r.task)
        yield* tmux.sendText(r.name, continuePrompt(t.id))
        yield* Effect.logInfo(`session ${r.name} resumed on ${r.account}: told to continue task ${t.id}`)
      })

    /** Reads one session's screen: readiness after a launch, and the end of a turn when no hook says so. */
    /** The session needs the operator (a start-up dialog, an agent that keeps exiting): said once, never typed into. */
    const needsOperator = (r: SessionRecord, why: string) =>
      Effect.gen(function* () {
        table.set(r.name, { state: "needs-operator", decidedBy: "screen" }, Date.now())
        if (r.needsOperator === why) return
        r.needsOperator = why
        yield* Effect.logWarning(`session ${r.name} needs the operator: ${why} (tmux attach -t ${r.name})`)
      })

    /** A hooked agent's Stop for the task in hand: its turn ended without a limit, whatever the screen shows. */
    const stoppedAfterPrompt = (r: SessionRecord) =>
      r.lastHook?.event === "Stop" && r.task !== undefined && r.lastHook.at >= r.task.sentAt

    /** Reads one session's screen: readiness after a launch, and the end of a turn when no hook says so. */
    const readScreen = (r: SessionRecord, pane: PaneRef) =>
      Effect.gen(function* () {
        const screen = yield* tmux.capture(r.name)
        // While an agent starts, every limit line in its transcript is history (a --resume redraws the old hit);
        // the baseline is taken once it is ready.
        const starting = r.phase === "starting" || r.phase === "resuming"
        const limitLinesBefore = starting ? Number.POSITIVE_INFINITY : r.limitLinesBefore
        const reading = classifyScreen(screen, Date.now(), zone, { limitLinesBefore })
        // Old limit lines scrolling away lower the baseline, so a later hit still counts as new.
        const limitLines = limitLineCount(screen)
        r.limitLinesBefore = Math.min(r.limitLinesBefore, limitLines)
        const stable = r.lastScreen === screen
        r.lastScreen = screen
        // What the session is doing, strongest signal first (hook, live status file, screen), for the API.
        const home = settings.accounts.find((a) => a.name === r.account)?.home
        // A hook from before the task's prompt (the SessionStart of its /clear) says nothing of the turn now
        // running: ccl installs no UserPromptSubmit hook, so without this a working session showed "idle".
        const hook =
          r.lastHook !== undefined && (r.task === undefined || r.lastHook.at >= r.task.sentAt)
            ? r.lastHook
            : undefined
        // A hook outranks the status file: read the file (a readdir and its JSON files) only without one.
        const statusFile = home === undefined || hook !== undefined ? undefined : liveStatus(home, pane)
        const combined = combineSignals({
          ...(hook === undefined ? {} : { hook }),
          ...(statusFile === undefined ? {} : { statusFile }),
          screen: { ...reading, at: Date.now() },
        })
        if (combined.state !== r.state || combined.decidedBy !== r.decidedBy)
          table.set(r.name, { state: combined.state, decidedBy: combined.decidedBy }, Date.now())

        if (starting) {
          // Never typed into before its prompt is drawn and still (an Enter sent too early is lost).
          if (reading.state === "idle" && stable) {
            r.limitLinesBefore = limitLines // what a resumed conversation redraws is history
            r.failedLaunches = 0
            r.needsOperator = undefined
            if (r.verify !== undefined) {
              const check = r.verify
              r.verify = undefined
              yield* verifySwappedSession(state, r.name, pane, check)
            }
            if (r.phase === "resuming") return yield* continueTask(r)
            table.set(r.name, { phase: "ready" }, Date.now())
            return yield* Queue.offer(wake, undefined)
          }
          if (reading.state === "waiting") return yield* needsOperator(r, reading.evidence)
          if (reading.state === "shell" && Date.now() - r.since > SHELL_GRACE_MS) {
            if (r.phase === "resuming" && r.task !== undefined) {
              // The conversation could not be resumed: the task starts again elsewhere, attempt counted.
              yield* Effect.logWarning(
                `session ${r.name} could not resume: task ${r.task.id} back to pending/`,
              )
              yield* queue.release(r.task.id)
              counters.released++
            }
            const lines = screenLines(screen)
            return yield* relaunch(
              r,
              `the agent exited before its prompt: ${lines.at(-2)?.trim() ?? "(nothing printed)"}`,
            )
          }
          return
        }
        if (r.phase !== "working" || r.task === undefined) return
        if (reading.state === "usage-limit" && !stoppedAfterPrompt(r)) {
          return yield* onLimit(r, reading.resetAt, "screen")
        }
        // A hooked agent reports the limit with StopFailure: its transcript is not read on every look.
        const hit = r.hooked === true ? undefined : transcriptLimit(r, r.task.sentAt)
        if (hit !== undefined) return yield* onLimit(r, hit.resetAt, "transcript")
        if (reading.state === "busy") r.task.sawBusy = true
        else if (reading.state === "idle" && (r.task.sawBusy || doneLines(screen) > r.task.doneLinesBefore)) {
          yield* fileTask(r, "screen", undefined)
          r.lateStopUntil = Date.now() + LATE_STOP_MS
          r.lateStopConversation = r.conversationId
        }
      })

    /**
     * Launches the agent of a session again (its agent exited). An agent that exits before its prompt
     * MAX_FAILED_LAUNCHES times in a row is left at its shell, for the operator: no endless relaunching.
     */
    const relaunch = (r: SessionRecord, why: string) =>
      Effect.gen(function* () {
        const failed = r.failedLaunches + 1
        if (r.phase !== "ready" && failed >= MAX_FAILED_LAUNCHES) {
          table.set(r.name, { phase: "shell" }, Date.now())
          return yield* needsOperator(r, `${why}; left at its shell after ${failed} launches`)
        }
        yield* Effect.logWarning(`session ${r.name}: ${why}: launching the agent again`)
        yield* launch(
          r.name,
          r.cwd,
          r.kind,
          r.kind === "dedicated" ? dedicatedMode(r.name, r.cwd) : undefined,
        )
        table.set(r.name, { failedLaunches: r.phase === "ready" ? 0 : failed }, Date.now())
      })
    /**
     * One look at every session. A single `list-sessions` tells which sessions exist and what runs in them
     * (a ready session whose pane runs a shell again has lost its agent); screens are read only for sessions
     * starting or working. An idle pool therefore costs one tmux call per look (BENCHMARKS.md, daemon-idle).
     */
    const pollAll = Effect.gen(function* () {
      const live = new Map((yield* tmux.list).map((s) => [s.name, s]))
      for (const r of table.all()) {
        // A dead session is tried again (its task given back, then a new session) when its last try failed.
        if (r.phase === "dead" && Date.now() < (r.retryAt ?? 0)) continue
        const info = live.get(r.name)
        yield* locked(
          Effect.uninterruptible(
            Effect.gen(function* () {
              // The list was read before the lock: a failover (or a relaunch) may have replaced this session since.
              if (table.get(r.name) !== r) return
              if (r.phase === "dead" || info === undefined || info.dead) return yield* onDead(r)
              // The agent of a ready session has exited (its pane runs a shell again). A session still starting is
              // left to the screen: a shell busy with a slow rc file runs the typed line later, and a second line
              // typed now would reach the agent as a prompt.
              if (
                r.phase === "ready" &&
                SHELLS.has(info.currentCommand) &&
                Date.now() - r.since > SHELL_GRACE_MS
              ) {
                // An operator who left the agent of a dedicated session keeps the shell they chose.
                if (r.kind === "dedicated") {
                  table.set(r.name, { phase: "shell", state: "shell", decidedBy: "tmux" }, Date.now())
                  return yield* Effect.logInfo(
                    `dedicated session ${r.name}: the agent exited, left at its shell`,
                  )
                }
                return yield* relaunch(r, "the agent exited (its pane runs a shell again)")
              }
              if (r.phase === "starting" || r.phase === "working" || r.phase === "resuming") {
                // A working agent whose hooks arrive reports its turn's end: its screen is only the fallback.
                if (
                  r.phase === "working" &&
                  r.hooked === true &&
                  Date.now() - (r.screenAt ?? 0) < HOOKED_SCREEN_MS
                )
                  return
                r.screenAt = Date.now()
                return yield* readScreen(r, { session: r.name, paneId: info.paneId, panePid: info.panePid })
              }
            }).pipe(
              Effect.catchAll((e) =>
                Effect.logWarning(`session ${r.name}: ${e._tag}${"message" in e ? `: ${e.message}` : ""}`),
              ),
            ),
          ),
        )
      }
    })

    const onHook = (record: HookRecord) =>
      Effect.gen(function* () {
        const r = record.ccl_session === null ? undefined : table.get(record.ccl_session)
        if (r === undefined) return
        const payload = (record.payload ?? {}) as Record<string, unknown>
        const sessionId = typeof payload.session_id === "string" ? payload.session_id : undefined
        const at = Date.parse(record.received_at)
        const current = at >= r.launchedAt // not a late event of the agent this session ran before
        if (current) r.hooked = true
        if (current && typeof payload.transcript_path === "string") r.transcriptPath = payload.transcript_path
        if (current && sessionId !== undefined && isValidResumeUUID(sessionId)) {
          r.conversationId = sessionId
          r.conversationFrom = "hook"
        }
        if (current && HOOK_EVENTS.has(record.event)) {
          r.lastHook = {
            event: record.event as HookSignal["event"],
            at,
            ...(typeof payload.error === "string" ? { error: payload.error } : {}),
            ...(typeof payload.notification_type === "string"
              ? { notificationType: payload.notification_type }
              : {}),
          }
          const said = hookState(r.lastHook)
          if (said !== undefined) table.set(r.name, { state: said, decidedBy: "hook" }, Date.now())
        }
        // SessionStart fires before the prompt is drawn (an Enter sent then is lost): the screen says when a
        // starting or resuming agent is ready. A dedicated conversation's new id (after /clear) is kept on disk.
        if (record.event === "SessionStart" && current && r.kind === "dedicated" && sessionId !== undefined) {
          if (isValidResumeUUID(sessionId)) writeResumeId(settings.state, r.name, sessionId)
        } else if (
          record.event === "Stop" &&
          Date.now() < r.lateStopUntil &&
          // After a /clear the next task runs in a new conversation: a Stop naming another one is not the late one.
          (sessionId === undefined ||
            r.lateStopConversation === undefined ||
            sessionId === r.lateStopConversation)
        ) {
          r.lateStopUntil = 0 // the late Stop of a turn already filed from the screen
        } else if (
          record.event === "Stop" &&
          r.phase === "working" &&
          r.task !== undefined &&
          at >= r.task.sentAt
        ) {
          const text =
            typeof payload.last_assistant_message === "string" ? payload.last_assistant_message : undefined
          yield* fileTask(r, "hook", text)
        } else if (record.event === "StopFailure" && payload.error === "rate_limit" && current) {
          const message =
            typeof payload.last_assistant_message === "string" ? payload.last_assistant_message : ""
          yield* onLimit(r, detectUsageLimit(message, Date.now(), zone)?.resetAt, "hook")
        }
      })

    const locked = <A, E, R>(e: Effect.Effect<A, E, R>) => lock.withPermits(1)(e)

    return {
      table,
      counters,
      control,
      account,
      state,
      /** Usage-limit hits, for the failover to take. */
      limits,
      launch,
      locked,
      /** Stops dispatching and waits for the prompts being typed: nothing is left half-sent at exit. */
      drain: Effect.suspend(() => {
        control.stopping = true
        return Effect.zipRight(Fiber.interruptAll([...submits]), Fiber.awaitAll([...deliveries]))
      }),
      wake: Queue.offer(wake, undefined),
      startSessions: locked(startSessions),
      /** Gives back tasks stranded in active/ with no holder (see releaseOrphans). */
      sweepOrphans: locked(
        Effect.flatMap(queue.list("active"), (tasks) => releaseOrphans(tasks.map((t) => t.id))),
      ),
      // Filing a task is never cut in half by SIGTERM: the step in hand finishes.
      onHook: (record: HookRecord) => locked(Effect.uninterruptible(onHook(record))),
      /** Forever: a step per wake-up (file watch, hook, safety-net tick). */
      runDispatch: Queue.take(wake).pipe(
        // A step is never cut in half (claim, /clear, paste): SIGTERM waits for it.
        Effect.zipRight(locked(Effect.uninterruptible(step))),
        Effect.catchAllCause((cause) => Effect.logError("dispatch step failed", cause)),
        Effect.forever,
      ),
      /** Forever: looks at the sessions every `busyMs` while any is starting or working, else every `idleMs`. */
      runScreens: (busyMs: number, idleMs: number) =>
        pollAll.pipe(
          Effect.catchAllCause((cause) => Effect.logError("reading the sessions failed", cause)),
          Effect.zipRight(
            Effect.suspend(() =>
              Effect.sleep(
                Duration.millis(
                  table.all().some((r) => r.phase === "starting" || r.phase === "working") ? busyMs : idleMs,
                ),
              ),
            ),
          ),
          Effect.forever,
        ),
    }
  })

export type Dispatcher = Effect.Effect.Success<ReturnType<typeof makeDispatcher>>
