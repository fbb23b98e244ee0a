import { Clock, Effect, Layer } from "effect"
import { failureText } from "../../domain/FailureText.js"
import { forgetting } from "../../domain/InFlightState.js"
import { preciseReset } from "../../domain/QuotaPolicy.js"
import type { ResultFooter } from "../../domain/ResultFooter.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { quotaOfLimitHit } from "../../domain/StatusLineQuota.js"
import { failpoint } from "../../layers/failpoint.js"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Completion } from "../../services/Completion.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { Delivery } from "../../services/Delivery.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { Failover } from "../../services/Failover.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { makeTaskAttempts } from "./TaskAttempts.js"

/** Prompt ids of filed turns kept per session: enough for any late Stop, bounded. */
const FILED_PROMPTS_KEPT = 8

export const CompletionLive = Layer.effect(
  Completion,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    const delivery = yield* Delivery
    const tmux = yield* TmuxPool
    const state = yield* StateStore
    const control = yield* DispatchControl
    const failover = yield* Failover
    const { table, counters } = yield* DaemonSessions
    const events = yield* DaemonEvents
    const quotas = yield* AccountQuotas
    const attempts = yield* makeTaskAttempts

    /**
     * The session's turn is over and its task gone: a fresh context for the next one (pool), or ready. `then` (the
     * state write) runs between the table's change and the /clear, as one step under the caller's lock.
     */
    const turnOver = <E>(r: SessionRecord, now: number, then: Effect.Effect<void, E>) =>
      Effect.gen(function* () {
        const clearing = r.kind === "pool" && settings.pool.freshContext
        table.set(r.name, { task: undefined, phase: clearing ? "clearing" : "ready" }, now)
        yield* then
        if (clearing) yield* delivery.clearAfterTurn(r)
        else yield* control.wake
      })

    const file = Effect.fn("Completion.file")(function* (
      r: SessionRecord,
      via: "hook" | "screen",
      text?: string | undefined,
    ) {
      const t = r.task
      if (t === undefined) return
      const now = yield* Clock.currentTimeMillis
      const earlier = attempts.attemptsSoFar(t.id)
      const footer: ResultFooter = {
        status: "completed",
        route: "local",
        provider: "claude-code",
        session: r.name,
        ...(r.account === undefined ? {} : { account: r.account }),
        attempt: t.attempt,
        ...(r.conversationId === undefined ? {} : { resume_id: r.conversationId }),
        started_at: new Date(t.startedAt).toISOString(),
        finished_at: new Date(now).toISOString(),
        ...(earlier === undefined ? {} : { attempts: earlier }),
        ...(text === undefined || text === "" ? {} : { text }),
      }
      yield* queue.complete(t.id, footer).pipe(
        Effect.tap(() =>
          Effect.logInfo(`task ${t.id} filed in done/ (session ${r.name}, attempt ${t.attempt}, via ${via})`),
        ),
        Effect.catchTag("TaskNotFound", () => Effect.logWarning(`task ${t.id} was no longer active`)),
      )
      counters.completed++
      yield* events.publish({
        type: "task",
        id: t.id,
        state: "done",
        session: r.name,
        account: r.account,
        attempt: t.attempt,
        route: "local",
        provider: "claude-code",
      })
      yield* failpoint("completion:filed")
      // Fencing: the Stop of this turn, if it comes later, must never file the next task.
      if (t.promptId !== undefined)
        r.filedPrompts = [...r.filedPrompts, t.promptId].slice(-FILED_PROMPTS_KEPT)
      else if (via === "screen" && r.hooked === true) r.owedStops++
      // The next task's dispatch is then paste + Enter: the /clear happens now, not in its path.
      yield* turnOver(r, now, state.update(forgetting(r.name, t.id)))
    })

    const failedTurn = Effect.fn("Completion.failedTurn")(function* (r: SessionRecord, detail: string) {
      const t = r.task
      if (t === undefined) return
      if (t.promptId !== undefined)
        r.filedPrompts = [...r.filedPrompts, t.promptId].slice(-FILED_PROMPTS_KEPT)
      yield* attempts.failed(r, t, "agent_error", detail)
      yield* turnOver(r, yield* Clock.currentTimeMillis, Effect.void)
    })

    const limited = Effect.fn("Completion.limited")(function* (
      r: SessionRecord,
      lineReset: Date | undefined,
      via: "screen" | "hook" | "transcript",
    ) {
      if (r.phase === "limited") return
      // To the second when the account's statusline told the window's reset.
      const precise = preciseReset(
        lineReset?.getTime(),
        r.account === undefined ? undefined : quotas.get(r.account),
      )
      const resetAt = precise === undefined ? undefined : new Date(precise)
      table.set(r.name, { phase: "limited" }, yield* Clock.currentTimeMillis)
      yield* Effect.logWarning(
        `session ${r.name} hit the usage limit of ${r.account ?? "its account"} (${via})` +
          (resetAt === undefined ? "" : `, resets ${resetAt.toISOString()}`),
      )
      // Claude Code 2.1.234+ would re-send the turn by itself at the reset; ccl resumes it instead (after the
      // failover, or at the reset when every account is spent), so the turn runs once. Esc also closes the weekly
      // limit's menu, which would hold the input.
      yield* tmux
        .sendKey(r.name, "Escape")
        .pipe(Effect.catchAll((e) => Effect.logWarning(`session ${r.name}: Esc not sent: ${failureText(e)}`)))
      yield* events.publish({
        type: "failover",
        kind: "limit_hit",
        account: r.account,
        session: r.name,
        reason: `usage limit (${via})`,
        reset_at: resetAt?.toISOString(),
      })
      // The window that ran out is at 100% until its reset (the scheduling policy reads it).
      if (r.account !== undefined)
        yield* quotas.report({
          account: r.account,
          session: r.name,
          ...quotaOfLimitHit(resetAt, yield* Clock.currentTimeMillis, quotas.get(r.account)),
        })
      yield* failover.report({ session: r.name, account: r.account, resetAt: resetAt?.getTime(), via })
    })

    return Completion.of({ file, failedTurn, limited })
  }),
)
