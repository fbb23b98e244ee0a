import { Clock, Duration, Effect, Layer } from "effect"
import { failureText } from "../../domain/FailureText.js"
import { classifyScreen, limitLineCount, screenLines } from "../../domain/ScreenState.js"
import { doneLineCount } from "../../domain/ScreenTurns.js"
import { combineSignals } from "../../domain/SessionSignals.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Completion } from "../../services/Completion.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delivery } from "../../services/Delivery.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { ScreenWatch } from "../../services/ScreenWatch.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxEvents } from "../../services/TmuxEvents.js"
import { type SessionInfo, TmuxPool } from "../../services/TmuxPool.js"
import { liveStatus, type PaneRef } from "./LiveStatusFile.js"
import { runOnEvents } from "./ScreenWatchEvents.js"
import { SessionLimits } from "./SessionLimits.js"
import { SHELLS } from "./SessionSupervisorLive.js"
import { recordVerification, verifySwappedSession } from "./SwapVerification.js"
import { transcriptFile } from "./Transcript.js"
import { transcriptLimitSince } from "./TranscriptLimit.js"
import { makeWaveGate } from "./WaveGate.js"

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone

export const ScreenWatchLive = Layer.effect(
  ScreenWatch,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const queue = yield* TaskQueue
    const state = yield* StateStore
    const control = yield* DispatchControl
    const supervisor = yield* SessionSupervisor
    const completion = yield* Completion
    const delivery = yield* Delivery
    const wave = yield* makeWaveGate
    const { table, locked, counters } = yield* DaemonSessions
    const events = yield* TmuxEvents

    const homeOf = (r: SessionRecord) => settings.accounts.find((a) => a.name === r.account)?.home

    /** The transcript's record of a limit hit since `sinceMs` (when no hook and no screen said so). */
    const transcriptLimit = (r: SessionRecord, sinceMs: number) => {
      const home = homeOf(r)
      const file =
        r.transcriptPath ??
        (home === undefined || r.conversationId === undefined
          ? undefined
          : transcriptFile(home, r.cwd, r.conversationId))
      return file === undefined ? undefined : transcriptLimitSince(file, sinceMs, zone)
    }

    /** A hooked agent's Stop for the task in hand: its turn ended without a limit, whatever the screen shows. */
    const stoppedAfterPrompt = (r: SessionRecord) =>
      r.lastHook?.event === "Stop" && r.task !== undefined && r.lastHook.at >= r.task.sentAt

    /** A starting or resuming agent: ready once its prompt is drawn and still (an Enter sent too early is lost). */
    const whileStarting = (
      r: SessionRecord,
      pane: PaneRef,
      screen: string,
      reading: ReturnType<typeof classifyScreen>,
      stable: boolean,
      now: number,
    ) =>
      Effect.gen(function* () {
        if (reading.state === "idle" && stable) {
          r.limitLinesBefore = limitLineCount(screen) // what a resumed conversation redraws is history
          r.failedLaunches = 0
          r.needsOperator = undefined
          if (r.verify !== undefined) {
            const check = r.verify
            r.verify = undefined
            yield* verifySwappedSession(state, r.name, pane, check)
          }
          if (r.phase === "resuming") {
            // After a reset with every account spent, a task's turn waits for its slot (the screen is read again).
            if (r.task !== undefined && !(yield* wave.tryStart(r.name)).go) return
            return yield* delivery.resume(r)
          }
          table.set(r.name, { phase: "ready" }, now)
          return yield* control.wake
        }
        if (reading.state === "waiting") return yield* supervisor.needsOperator(r, reading.evidence)
        if (reading.state === "shell" && now - r.since > SessionLimits.shellGraceMs) {
          const lines = screenLines(screen)
          const printed = lines.at(-2)?.trim() ?? "(nothing printed)"
          // A swap relaunched it and it never came up (a resume that failed): its history says so, not "resumed".
          if (r.verify !== undefined) {
            const check = r.verify
            r.verify = undefined
            yield* recordVerification(
              state,
              r.name,
              check,
              false,
              `the agent exited before its prompt: ${printed}`,
            )
          }
          if (r.phase === "resuming" && r.task !== undefined) {
            // The conversation could not be resumed: the task starts again elsewhere, attempt counted.
            yield* Effect.logWarning(`session ${r.name} could not resume: task ${r.task.id} back to pending/`)
            yield* queue.release(r.task.id)
            counters.released++
          }
          return yield* supervisor.relaunch(r, `the agent exited before its prompt: ${printed}`)
        }
      })

    /** Reads one session's screen: readiness after a launch, and the end of a turn when no hook says so. */
    const readScreen = (r: SessionRecord, pane: PaneRef) =>
      Effect.gen(function* () {
        const screen = yield* tmux.capture(r.name)
        const now = yield* Clock.currentTimeMillis
        // While an agent starts, every limit line in its transcript is history (a --resume redraws the old hit);
        // the baseline is taken once it is ready.
        const starting = r.phase === "starting" || r.phase === "resuming"
        const limitLinesBefore = starting ? Number.POSITIVE_INFINITY : r.limitLinesBefore
        const reading = classifyScreen(screen, now, zone, { limitLinesBefore })
        // Old limit lines scrolling away lower the baseline, so a later hit still counts as new.
        r.limitLinesBefore = Math.min(r.limitLinesBefore, limitLineCount(screen))
        const stable = r.lastScreen === screen
        r.lastScreen = screen
        // What the session is doing, strongest signal first (hook, live status file, screen), for the API. A hook
        // from before the task's prompt (the SessionStart of its /clear) says nothing of the turn now running.
        const hook =
          r.lastHook !== undefined && (r.task === undefined || r.lastHook.at >= r.task.sentAt)
            ? r.lastHook
            : undefined
        const home = homeOf(r)
        // A hook outranks the status file: read the file (a readdir and its JSON files) only without one.
        const statusFile = home === undefined || hook !== undefined ? undefined : liveStatus(home, pane)
        const combined = combineSignals({
          ...(hook === undefined ? {} : { hook }),
          ...(statusFile === undefined ? {} : { statusFile }),
          screen: { ...reading, at: now },
        })
        if (combined.state !== r.state || combined.decidedBy !== r.decidedBy)
          table.set(r.name, { state: combined.state, decidedBy: combined.decidedBy }, now)

        if (starting) return yield* whileStarting(r, pane, screen, reading, stable, now)
        if (r.phase !== "working" || r.task === undefined) return
        if (reading.state === "usage-limit" && !stoppedAfterPrompt(r))
          return yield* completion.limited(r, reading.resetAt, "screen")
        // A hooked agent reports the limit with StopFailure: its transcript is not read on every look.
        const hit = r.hooked === true ? undefined : transcriptLimit(r, r.task.sentAt)
        if (hit !== undefined) return yield* completion.limited(r, hit.resetAt, "transcript")
        if (reading.state === "busy") r.task.sawBusy = true
        else if (
          reading.state === "idle" &&
          (r.task.sawBusy || doneLineCount(screen) > r.task.doneLinesBefore)
        )
          yield* completion.file(r, "screen")
      })

    /** One session, under the lock: gone, exited, or its screen read. */
    const lookAt = (r: SessionRecord, info: SessionInfo | undefined) =>
      Effect.gen(function* () {
        // The list was read before the lock: a failover (or a relaunch) may have replaced this session since.
        if (table.get(r.name) !== r) return
        if (r.phase === "dead" || info === undefined || info.dead) return yield* supervisor.onDead(r)
        const now = yield* Clock.currentTimeMillis
        // The agent of a ready session has exited (its pane runs a shell again). One still starting is left to the
        // screen: a shell busy with a slow rc file runs the typed line later, and a second line typed now would
        // reach the agent as a prompt.
        if (
          r.phase === "ready" &&
          SHELLS.has(info.currentCommand) &&
          now - r.since > SessionLimits.shellGraceMs
        ) {
          // An operator who left the agent of a dedicated session keeps the shell they chose.
          if (r.kind === "dedicated") {
            table.set(r.name, { phase: "shell", state: "shell", decidedBy: "tmux" }, now)
            return yield* Effect.logInfo(`dedicated session ${r.name}: the agent exited, left at its shell`)
          }
          return yield* supervisor.relaunch(r, "the agent exited (its pane runs a shell again)")
        }
        if (r.phase !== "starting" && r.phase !== "working" && r.phase !== "resuming") return
        // A working agent whose hooks arrive reports its turn's end: its screen is only the fallback.
        if (
          r.phase === "working" &&
          r.hooked === true &&
          now - (r.screenAt ?? 0) < SessionLimits.hookedScreenMs
        )
          return
        r.screenAt = now
        return yield* readScreen(r, { session: r.name, paneId: info.paneId, panePid: info.panePid })
      })

    /**
     * One look at every session. A single `list-sessions` tells which sessions exist and what runs in them;
     * screens are read only for sessions starting or working, so an idle pool costs one tmux call per look.
     */
    /** A look at the sessions whose pane is in `only.panes` or whose name is in `only.names`; else at all. */
    const lookAtSome = (only?: {
      readonly panes: ReadonlySet<string>
      readonly names: ReadonlySet<string>
    }) =>
      Effect.gen(function* () {
        const live = new Map((yield* tmux.list).map((s) => [s.name, s]))
        for (const r of table.all()) {
          const info = live.get(r.name)
          // Only the sessions asked for (their panes printed); a gone one waits for the look at everything.
          if (
            only !== undefined &&
            (info === undefined || !(only.panes.has(info.paneId) || only.names.has(r.name)))
          )
            continue
          // A dead session is tried again (its task given back, then a new session) when its last try failed.
          if (r.phase === "dead" && (yield* Clock.currentTimeMillis) < (r.retryAt ?? 0)) continue
          yield* locked(Effect.uninterruptible(lookAt(r, info))).pipe(
            Effect.catchAll((e) =>
              Effect.logWarning(`session ${r.name}: looking at it failed: ${failureText(e)}`),
            ),
          )
        }
      }).pipe(Effect.catchAllCause((cause) => Effect.logError("reading the sessions failed", cause)))
    const look = lookAtSome()

    const busy = () => table.all().some((r) => r.phase === "starting" || r.phase === "working")
    /** Sessions still coming up: their readiness is two equal reads, so they are read again without output. */
    const unsettled = () =>
      table
        .all()
        .filter((r) => r.phase === "starting" || r.phase === "resuming")
        .map((r) => r.name)
    return ScreenWatch.of({
      look,
      run: (busyMs, idleMs) =>
        events.live
          ? runOnEvents({ events, look: lookAtSome, unsettled, busyMs, idleMs, coalesceMs: 50 })
          : look.pipe(
              Effect.zipRight(Effect.suspend(() => Effect.sleep(Duration.millis(busy() ? busyMs : idleMs)))),
              Effect.forever,
            ),
    })
  }),
)
