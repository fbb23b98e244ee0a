import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { failureText } from "../../domain/FailureText.js"
import type { HookRecord } from "../../domain/HookRecord.js"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { type HookSignal, hookState } from "../../domain/SessionSignals.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { STATUS_LINE_EVENT } from "../../domain/StatusLineCommand.js"
import { quotaOfRateLimits } from "../../domain/StatusLineQuota.js"
import { stopVerdict } from "../../domain/StopFencing.js"
import { detectUsageLimit } from "../../domain/UsageLimit.js"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Completion } from "../../services/Completion.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { HookIntake } from "../../services/HookIntake.js"
import { replayEvents } from "./HookReplay.js"
import { makeSpoolDirs, makeSpoolDrain, sweepSpoolTmp } from "./HookSpoolDrain.js"
import { watchSpool } from "./HookSpoolWatch.js"
import { writeResumeId } from "./ResumeIdFile.js"

const SIGNAL_EVENTS = new Set(["SessionStart", "Stop", "StopFailure", "Notification", "UserPromptSubmit"])

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone

/** How often hook events queued in the events file (by `ccl hook`) are replayed. */
const replayEvery = Schedule.spaced(Duration.seconds(2))
/** The hook spool's safety-net poll (a file landing there wakes the daemon at once). */
const spoolPoll = Duration.seconds(1)

export const HookIntakeLive = Layer.effect(
  HookIntake,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const completion = yield* Completion
    const { table, locked } = yield* DaemonSessions
    const events = yield* DaemonEvents
    const quotas = yield* AccountQuotas

    /** What the event says of the session's state and conversation, for the API and the failover. */
    const note = (r: SessionRecord, record: HookRecord, at: number, now: number) => {
      const p = record.payload
      r.hooked = true
      if (p.transcript_path !== undefined) r.transcriptPath = p.transcript_path
      if (p.session_id !== undefined && isValidResumeUUID(p.session_id)) {
        r.conversationId = p.session_id
        r.conversationFrom = "hook"
      }
      if (!SIGNAL_EVENTS.has(record.event)) return
      r.lastHook = {
        event: record.event as HookSignal["event"],
        at,
        ...(p.error === undefined ? {} : { error: p.error }),
        ...(p.notification_type === undefined ? {} : { notificationType: p.notification_type }),
      }
      const said = hookState(r.lastHook)
      if (said !== undefined) table.set(r.name, { state: said, decidedBy: "hook" }, now)
    }

    /**
     * A turn's end (Stop, or StopFailure for an error that is not a limit), fenced: a late one belongs to a turn
     * already filed; the task's own one runs `own`.
     */
    const onTurnEnd = <E>(r: SessionRecord, record: HookRecord, at: number, own: Effect.Effect<void, E>) => {
      const verdict = stopVerdict(
        {
          working: r.phase === "working",
          task: r.task,
          owedStops: r.owedStops,
          filedPrompts: r.filedPrompts,
        },
        { promptId: record.payload.prompt_id, at },
      )
      if (verdict.kind === "late") {
        if (verdict.paysOwed) r.owedStops--
        return Effect.logDebug(`session ${r.name}: the late ${record.event} of a turn already filed`)
      }
      if (verdict.kind === "none") return Effect.void
      // The task's own end: every earlier one is in or lost (an agent runs its hooks one after another).
      r.owedStops = 0
      return own
    }

    const onStop = (r: SessionRecord, record: HookRecord, at: number) =>
      onTurnEnd(r, record, at, completion.file(r, "hook", record.payload.last_assistant_message))

    /** A turn that ended in an error: a failed attempt (agent_error) with what the agent said. */
    const onStopFailure = (r: SessionRecord, record: HookRecord, at: number) => {
      const p = record.payload
      const said = (p.last_assistant_message ?? "").split("\n")[0]!.slice(0, 200)
      return onTurnEnd(
        r,
        record,
        at,
        completion.failedTurn(r, `${p.error ?? "error"}${said === "" ? "" : `: ${said}`}`),
      )
    }

    const reportQuota = (r: SessionRecord, record: HookRecord) =>
      r.account === undefined
        ? Effect.void
        : quotas.report({
            account: r.account,
            session: r.name,
            ...quotaOfRateLimits(record.payload.rate_limits),
          })

    const accept = Effect.fn("HookIntake.accept")(function* (record: HookRecord) {
      const r = record.ccl_session === null ? undefined : table.get(record.ccl_session)
      if (r === undefined) return
      const at = Date.parse(record.received_at)
      // A late event of the agent this session ran before says nothing of the one running now.
      if (at < r.launchedAt) return
      // The statusline (StatusLineCommand.ts) reports its account's quota; it is no hook and no turn signal.
      if (record.event === STATUS_LINE_EVENT) return yield* reportQuota(r, record)
      const p = record.payload
      yield* events.publish({
        type: "hook",
        event: record.event,
        session: r.name,
        ...(p.notification_type === undefined ? {} : { notification_type: p.notification_type }),
      })
      note(r, record, at, yield* Clock.currentTimeMillis)
      switch (record.event) {
        case "SessionStart":
          // SessionStart fires before the prompt is drawn (an Enter sent then is lost): the screen says when the
          // agent is ready. A dedicated conversation's new id (after /clear) is kept on disk.
          if (r.kind === "dedicated" && p.session_id !== undefined && isValidResumeUUID(p.session_id))
            writeResumeId(settings.state, r.name, p.session_id)
          return
        case "UserPromptSubmit":
          // The prompt that carries the task in hand: its Stop will name this id (fencing by token).
          if (
            r.task !== undefined &&
            p.prompt_id !== undefined &&
            p.prompt?.includes(`[ccl task ${r.task.id}`)
          )
            r.task.promptId = p.prompt_id
          return
        case "Stop":
          return yield* onStop(r, record, at)
        case "StopFailure":
          // A limit in any session (a dedicated one too) is a failover trigger, never an attempt.
          if (p.error === "rate_limit")
            return yield* completion.limited(
              r,
              detectUsageLimit(p.last_assistant_message ?? "", at, zone)?.resetAt,
              "hook",
            )
          // Any other error ends the task's turn without its work: a failed attempt (overloaded, server_error...).
          return yield* onStopFailure(r, record, at)
      }
    })

    // Filing a task is never cut in half by SIGTERM: the step in hand finishes.
    const acceptLocked = (record: HookRecord) => locked(Effect.uninterruptible(accept(record)))
    const replay = replayEvents(settings.state, acceptLocked).pipe(
      Effect.catchAllCause((cause) =>
        Effect.as(Effect.logWarning("replaying queued hook events failed", cause), 0),
      ),
    )
    // Made here too, not only by `hooks install`: the hooks of a state folder made by the daemon find them.
    yield* Effect.try(() => makeSpoolDirs(settings.state)).pipe(
      Effect.catchAll((e) =>
        Effect.logWarning(
          `hook spool: cannot make its folders under ${settings.state}/hooks: ${failureText(e.error)}`,
        ),
      ),
    )
    const drainSpool = makeSpoolDrain(settings.state, acceptLocked)
    const atStart = Effect.gen(function* () {
      yield* Effect.sync(() => sweepSpoolTmp(settings.state, Date.now()))
      return (yield* replay) + (yield* drainSpool)
    })
    return HookIntake.of({
      accept: acceptLocked,
      replay: atStart,
      runReplay: Effect.zipRight(
        Effect.repeat(replay, replayEvery),
        watchSpool(settings.state, drainSpool, spoolPoll),
        { concurrent: true },
      ).pipe(Effect.zipRight(Effect.never)),
    })
  }),
)
