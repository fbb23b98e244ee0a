import { randomUUID } from "node:crypto"
import { Clock, Effect, Layer } from "effect"
import { holding } from "../../domain/InFlightState.js"
import { launchLine } from "../../domain/LaunchCommand.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { failpoint } from "../../layers/failpoint.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { type LaunchMode, SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { readResumeId, writeResumeId } from "./ResumeIdFile.js"
import { freshRecord, makeSessionAdoption } from "./SessionAdoption.js"
import { SessionLimits } from "./SessionLimits.js"
import { makeTaskAttempts } from "./TaskAttempts.js"
import { hasTranscript } from "./Transcript.js"

/** What a pane runs when the agent has exited and the session's shell is back. */
export const SHELLS = new Set(["bash", "zsh", "sh", "dash", "fish", "ksh"])

export const SessionSupervisorLive = Layer.effect(
  SessionSupervisor,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const queue = yield* TaskQueue
    const state = yield* StateStore
    const control = yield* DispatchControl
    const { table, locked } = yield* DaemonSessions
    const attempts = yield* makeTaskAttempts

    const account = () =>
      settings.accounts.find((a) => a.name === state.get().active_account) ?? settings.accounts[0]

    /** Hooks run `ccl hook` inside the session: they must find this daemon (its config, API and state). */
    const sessionEnv = (name: string): Record<string, string> => ({
      CCL_SESSION: name,
      ...(settings.configFile === undefined ? {} : { CCL_CONFIG: settings.configFile }),
      CCL_API_HOST: settings.api.host,
      CCL_API_PORT: String(settings.api.port),
      CCL_STATE: settings.state,
    })

    const launch = Effect.fn("SessionSupervisor.launch")(function* (
      name: string,
      cwd: string,
      kind: SessionRecord["kind"],
      how: LaunchMode = { mode: "new" },
      recreate = false,
    ) {
      const acct = account()
      const id = how.mode === "resume" ? how.id : randomUUID()
      if (recreate) {
        yield* tmux.kill(name)
        yield* failpoint("session:killed")
      }
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
      const shell = how.mode === "shell"
      table.upsert(
        freshRecord(
          {
            name,
            kind,
            cwd,
            account: acct?.name,
            phase: shell ? "shell" : how.mode === "resume" ? "resuming" : "starting",
            task,
            state: shell ? "shell" : "starting",
            decidedBy: "launch",
          },
          yield* Clock.currentTimeMillis,
          shell ? {} : { conversationId: id, conversationFrom: "launch", contextFresh: how.mode === "new" },
        ),
      )
      // A resumed session keeps its task, and owes it a continue prompt: durable, so a crash cannot lose it.
      yield* state.update(holding(name, task, task !== undefined))
      return shell ? undefined : id
    })

    const dedicatedMode = (name: string, cwd: string): LaunchMode => {
      const saved = readResumeId(settings.state, name)
      const home = account()?.home
      return saved.kind === "valid" && home !== undefined && hasTranscript(home, cwd, saved.id)
        ? { mode: "resume", id: saved.id }
        : { mode: "new" }
    }

    const needsOperator = (r: SessionRecord, why: string) =>
      Effect.gen(function* () {
        const known = r.needsOperator === why
        // Through the table, so that the event says what the operator must answer (needs_input notifications).
        table.set(
          r.name,
          { state: "needs-operator", decidedBy: "screen", needsOperator: why },
          yield* Clock.currentTimeMillis,
        )
        if (known) return
        yield* Effect.logWarning(`session ${r.name} needs the operator: ${why} (tmux attach -t ${r.name})`)
      })

    const relaunch = Effect.fn("SessionSupervisor.relaunch")(function* (r: SessionRecord, why: string) {
      const failed = r.failedLaunches + 1
      const now = yield* Clock.currentTimeMillis
      if (r.phase !== "ready" && failed >= SessionLimits.maxFailedLaunches) {
        table.set(r.name, { phase: "shell" }, now)
        return yield* needsOperator(r, `${why}; left at its shell after ${failed} launches`)
      }
      yield* Effect.logWarning(`session ${r.name}: ${why}: launching the agent again`)
      yield* launch(r.name, r.cwd, r.kind, r.kind === "dedicated" ? dedicatedMode(r.name, r.cwd) : undefined)
      table.set(r.name, { failedLaunches: r.phase === "ready" ? 0 : failed }, now)
    })

    /**
     * A session that died mid-task gives its task back (an attempt: failed/ past its max_attempts, else pending/
     * after its backoff) and is started again. The task leaves the record only once it is back in the queue, so a step that fails (a queue
     * write, `tmux new-session`) leaves the session dead with its task, and the next look tries again.
     */
    const onDead = Effect.fn("SessionSupervisor.onDead")(function* (r: SessionRecord) {
      const t = r.task
      const now = yield* Clock.currentTimeMillis
      table.set(r.name, { phase: "dead", state: "dead", decidedBy: "tmux" }, now)
      r.retryAt = now + SessionLimits.deadRetryMs
      if (t !== undefined) {
        yield* attempts.failed(r, t, "session_dead", `session ${r.name} died during the task`)
        r.task = undefined
      } else yield* Effect.logWarning(`session ${r.name} is gone: starting it again`)
      yield* launch(r.name, r.cwd, r.kind, r.kind === "dedicated" ? dedicatedMode(r.name, r.cwd) : undefined)
      yield* control.wake
    })

    const { adopt, releaseOrphans } = yield* makeSessionAdoption(account)

    const startSessions = locked(
      Effect.uninterruptible(
        Effect.gen(function* () {
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
            if (yield* tmux.has(s.name)) yield* adopt(s, active)
            else
              yield* launch(
                s.name,
                s.cwd,
                s.kind,
                s.kind === "dedicated" ? dedicatedMode(s.name, s.cwd) : undefined,
              )
          }
          yield* releaseOrphans(active)
        }),
      ),
    )

    return SessionSupervisor.of({
      account,
      launch,
      dedicatedMode,
      startSessions,
      relaunch,
      onDead,
      needsOperator,
      // Never cut in half (a release is a link then an unlink): SIGTERM waits for the one in hand.
      sweepOrphans: locked(
        Effect.uninterruptible(
          Effect.flatMap(queue.list("active"), (tasks) => releaseOrphans(tasks.map((t) => t.id))),
        ),
      ),
    })
  }),
)
