import { randomUUID } from "node:crypto"
import * as path from "node:path"
import { Duration, Effect, Option, Queue } from "effect"
import type { HookRecord } from "../../domain/HookRecord.js"
import { launchLine, taskPrompt } from "../../domain/LaunchCommand.js"
import type { ResultFooter } from "../../domain/ResultFooter.js"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { classifyScreen, isDoneLine, screenLines } from "../../domain/ScreenState.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { Router } from "../../services/Router.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { type SessionRecord, SessionTable } from "./SessionTable.js"
import type { StateFile } from "./StateFile.js"

/** "✻ Baked for 1s" lines on a screen: one more than before the prompt means the turn ended. */
const doneLines = (screen: string): number => screenLines(screen).filter(isDoneLine).length

/** What a pane runs when the agent has exited and the session's shell is back. */
const SHELLS = new Set(["bash", "zsh", "sh", "dash", "fish", "ksh"])

/** How long after a turn filed from the screen its own (late) Stop hook may still arrive. */
const LATE_STOP_MS = 5_000

/** How long a launched agent may sit at a bare shell before it is launched again. */
const SHELL_GRACE_MS = 5_000

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
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone
    const counters = { dispatched: 0, completed: 0, released: 0, failed: 0 }

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

    /** Creates the session if needed and types the agent's launch line into its shell. */
    const launch = (name: string, cwd: string, kind: SessionRecord["kind"]) =>
      Effect.gen(function* () {
        const acct = account()
        const id = randomUUID()
        const line = launchLine({
          home: acct?.home,
          command: settings.agent.command,
          args: settings.agent.args,
          conversation: { mode: "new", id },
        })!
        const existing = (yield* tmux.list).find((s) => s.name === name)
        if (existing === undefined) yield* tmux.create({ name, cwd, env: sessionEnv(name) })
        // Never type a launch line into a running agent: only into the session's shell.
        if (existing === undefined || SHELLS.has(existing.currentCommand)) yield* tmux.sendText(name, line)
        else
          yield* Effect.logWarning(
            `session ${name} runs ${existing.currentCommand}, not a shell: not launching into it`,
          )
        table.upsert({
          name,
          kind,
          cwd,
          account: acct?.name,
          conversationId: id,
          phase: "starting",
          task: undefined,
          state: "starting",
          decidedBy: "launch",
          lateStopUntil: 0,
          since: Date.now(),
        })
      })

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
      for (const s of wanted) {
        if (yield* tmux.has(s.name)) {
          table.upsert({
            name: s.name,
            kind: s.kind,
            cwd: s.cwd,
            account: account()?.name,
            conversationId: undefined,
            phase: "starting",
            task: undefined,
            state: "adopted",
            decidedBy: "adopt",
            lateStopUntil: 0,
            since: Date.now(),
          })
          yield* Effect.logInfo(`adopted session ${s.name}`)
        } else yield* launch(s.name, s.cwd, s.kind)
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
          started_at: new Date(t.sentAt).toISOString(),
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
        yield* Queue.offer(wake, undefined)
      })

    /** A session that died mid-task gives its task back (attempt counted; failed/ past pool.max_attempts). */
    const onDead = (r: SessionRecord) =>
      Effect.gen(function* () {
        const t = r.task
        table.set(r.name, { phase: "dead", task: undefined, state: "dead", decidedBy: "tmux" }, Date.now())
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
            counters.failed++
          } else {
            yield* queue.release(t.id)
            counters.released++
          }
          yield* Effect.logWarning(
            `session ${r.name} died during task ${t.id} (attempt ${t.attempt}): task given back`,
          )
        }
        yield* launch(r.name, r.cwd, r.kind)
        yield* Queue.offer(wake, undefined)
      })

    /**
     * Waits until the session shows its idle prompt and the screen stops changing (two equal reads), at most
     * 3 s: text pasted while the agent is still redrawing after /clear can be lost.
     */
    const settle = (name: string) =>
      Effect.gen(function* () {
        let previous = ""
        const deadline = Date.now() + 3_000
        while (Date.now() < deadline) {
          const screen = yield* tmux.capture(name)
          if (screen === previous && classifyScreen(screen, Date.now(), zone).state === "idle") return
          previous = screen
          yield* Effect.sleep(Duration.millis(30))
        }
      })

    const step = Effect.gen(function* () {
      const pending = yield* queue.listPending
      for (const task of pending) {
        const decision = router.decide(task.frontmatter)
        if (decision.route === "delegate") {
          if (Option.isSome(delegation)) {
            yield* delegation.value.submit(task, decision.provider).pipe(
              Effect.tap((s) =>
                Effect.logInfo(`task ${task.id} delegated to ${s.provider} as job ${s.job_id}`),
              ),
              Effect.catchAll((e) => Effect.logWarning(`task ${task.id} not delegated now: ${e._tag}`)),
            )
          }
          continue
        }
        const free = table.freePool()
        if (free === undefined) continue
        if (!(yield* queue.claim(task.id))) continue
        const attempt = (state.get().attempts[task.id] ?? 0) + 1
        yield* state.update((s) => ({ ...s, attempts: { ...s.attempts, [task.id]: attempt } }))
        table.set(free.name, { phase: "working" }, Date.now())
        const sent = Effect.gen(function* () {
          if (settings.pool.freshContext) {
            yield* tmux.sendText(free.name, "/clear")
            yield* settle(free.name)
          }
          const doneLinesBefore = doneLines(yield* tmux.capture(free.name))
          free.task = { id: task.id, attempt, sentAt: Date.now(), sawBusy: false, doneLinesBefore }
          yield* tmux.sendText(
            free.name,
            taskPrompt(task.id, path.join(queue.root, "active", `${task.id}.md`), task.body),
          )
        })
        yield* sent.pipe(
          Effect.tap(() => Effect.sync(() => counters.dispatched++)),
          Effect.catchAll((e) =>
            Effect.gen(function* () {
              yield* Effect.logError(
                `could not send task ${task.id} to ${free.name}: ${e._tag}; giving it back`,
              )
              yield* queue.release(task.id)
              table.set(free.name, { phase: "starting", task: undefined }, Date.now())
            }),
          ),
        )
      }
    })

    /** Reads one session's screen: readiness after a launch, and the end of a turn when no hook says so. */
    const readScreen = (r: SessionRecord) =>
      Effect.gen(function* () {
        const screen = yield* tmux.capture(r.name)
        const reading = classifyScreen(screen, Date.now(), zone)
        if (reading.state !== r.state)
          table.set(r.name, { state: reading.state, decidedBy: "screen" }, Date.now())
        if (r.phase === "starting" && reading.state === "idle") {
          table.set(r.name, { phase: "ready" }, Date.now())
          yield* Queue.offer(wake, undefined)
        } else if (r.phase === "working" && r.task !== undefined) {
          if (reading.state === "busy") r.task.sawBusy = true
          else if (
            reading.state === "idle" &&
            (r.task.sawBusy || doneLines(screen) > r.task.doneLinesBefore)
          ) {
            yield* fileTask(r, "screen", undefined)
            r.lateStopUntil = Date.now() + LATE_STOP_MS
          } else if (reading.state === "usage-limit") table.set(r.name, { phase: "limited" }, Date.now())
        } else if (
          r.phase === "starting" &&
          reading.state === "shell" &&
          Date.now() - r.since > SHELL_GRACE_MS
        ) {
          yield* relaunch(r)
        }
      })

    const relaunch = (r: SessionRecord) =>
      Effect.zipRight(
        Effect.logWarning(`session ${r.name} is at a shell prompt: launching the agent again`),
        launch(r.name, r.cwd, r.kind),
      )

    /**
     * One look at every session. A single `list-sessions` tells which sessions exist and what runs in them
     * (a ready session whose pane runs a shell again has lost its agent); screens are read only for sessions
     * starting or working. An idle pool therefore costs one tmux call per look (BENCHMARKS.md, daemon-idle).
     */
    const pollAll = Effect.gen(function* () {
      const live = new Map((yield* tmux.list).map((s) => [s.name, s]))
      for (const r of table.all()) {
        if (r.phase === "dead") continue
        const info = live.get(r.name)
        yield* locked(
          Effect.gen(function* () {
            if (info === undefined || info.dead) return yield* onDead(r)
            if (r.phase === "starting" || r.phase === "working") return yield* readScreen(r)
            if (
              r.phase === "ready" &&
              SHELLS.has(info.currentCommand) &&
              Date.now() - r.since > SHELL_GRACE_MS
            ) {
              yield* relaunch(r)
            }
          }).pipe(Effect.catchAll((e) => Effect.logWarning(`session ${r.name}: ${e._tag}`))),
        )
      }
    })

    const onHook = (record: HookRecord) =>
      Effect.gen(function* () {
        const r = record.ccl_session === null ? undefined : table.get(record.ccl_session)
        if (r === undefined) return
        const payload = (record.payload ?? {}) as Record<string, unknown>
        const sessionId = typeof payload.session_id === "string" ? payload.session_id : undefined
        if (sessionId !== undefined && isValidResumeUUID(sessionId)) r.conversationId = sessionId
        const at = Date.parse(record.received_at)
        table.set(r.name, { state: record.event, decidedBy: "hook" }, Date.now())
        if (record.event === "SessionStart" && r.phase === "starting") {
          table.set(r.name, { phase: "ready" }, Date.now())
          yield* Queue.offer(wake, undefined)
        } else if (record.event === "Stop" && Date.now() < r.lateStopUntil) {
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
        } else if (record.event === "StopFailure" && payload.error === "rate_limit") {
          table.set(r.name, { phase: "limited" }, Date.now())
        }
      })

    const locked = <A, E, R>(e: Effect.Effect<A, E, R>) => lock.withPermits(1)(e)

    return {
      table,
      counters,
      account,
      wake: Queue.offer(wake, undefined),
      startSessions: locked(startSessions),
      onHook: (record: HookRecord) => locked(onHook(record)),
      /** Forever: a step per wake-up (file watch, hook, safety-net tick). */
      runDispatch: Queue.take(wake).pipe(
        // A step is never cut in half (claim, /clear, paste): SIGTERM waits for it.
        Effect.zipRight(locked(Effect.uninterruptible(step))),
        Effect.catchAllCause((cause) => Effect.logError("dispatch step failed", cause)),
        Effect.forever,
      ),
      /** Forever: reads every session's screen (and whether it still exists) every `everyMs`. */
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
