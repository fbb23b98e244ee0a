import { Cause, Clock, Duration, Effect, FiberHandle, Layer, Option, Queue, SubscriptionRef } from "effect"
import { type AccountRef, chooseTarget, cooldownUntil } from "../../domain/AccountChoice.js"
import { failureText } from "../../domain/FailureText.js"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import {
  Failover,
  FailoverRefused,
  type LimitHit,
  type SwapOutcome,
  type SwapTrigger,
} from "../../services/Failover.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { makeSwapMove } from "./SwapMove.js"
import { NOTHING_MOVED, outcomeOf } from "./SwapOutcomes.js"
import { hasTranscript } from "./Transcript.js"
import { makeWaveGate } from "./WaveGate.js"

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The failover (DESIGN.md "Failover"): pick the target, check its shared links, save resume ids, write a journal,
 * relaunch every session under the target, record the swap. One swap at a time (a semaphore), dispatching paused
 * meanwhile; while every account cools down, one waiter (a FiberHandle) swaps at the earliest reset.
 */
export const AccountSwapLive = (
  resumable: (home: string, cwd: string, id: string) => boolean = hasTranscript,
) =>
  Layer.scoped(
    Failover,
    Effect.gen(function* () {
      const settings = yield* AppConfig
      const state = yield* StateStore
      const control = yield* DispatchControl
      const supervisor = yield* SessionSupervisor
      const { locked, table } = yield* DaemonSessions
      const events = yield* DaemonEvents
      const wave = yield* makeWaveGate
      const quotas = yield* Effect.serviceOption(AccountQuotas)
      const { moveTo, record, runJournal } = yield* makeSwapMove(resumable)
      const single = yield* Effect.makeSemaphore(1)
      const hits = yield* Queue.unbounded<LimitHit>()
      /** The swap waiting for the earliest reset when every account is cooling down: at most one. */
      const resetWait = yield* FiberHandle.make<void, never>()
      let resetAt: number | undefined
      const setControl = (change: Partial<{ swapping: boolean; pausedUntil: number }>) =>
        SubscriptionRef.update(control.state, (s) => ({ ...s, ...change }))

      /** Every account cools down: dispatching paused, and one swap at the earliest reset. */
      const waitForReset = (to: AccountRef, until: number, now: number) =>
        Effect.gen(function* () {
          yield* setControl({ pausedUntil: until })
          if (resetAt !== undefined && resetAt <= until) return
          resetAt = until
          // One swap at the reset, however many sessions report the limit meanwhile (each used to fork its own).
          yield* FiberHandle.run(
            resetWait,
            Effect.sleep(Duration.millis(Math.max(0, until - now))).pipe(
              Effect.zipRight(Effect.sync(() => (resetAt = undefined))),
              Effect.zipRight(wave.begin),
              Effect.zipRight(
                single.withPermits(1)(
                  moveTo(to, { reason: `${to.name}'s usage limit reset` }).pipe(
                    Effect.tap(() =>
                      events.publish({
                        type: "failover",
                        kind: "resumed_at_reset",
                        to: to.name,
                        reason: "reset",
                      }),
                    ),
                    Effect.catchAll((e) => Effect.logError(`failover after the reset refused: ${e.reason}`)),
                  ),
                ),
              ),
              Effect.asVoid,
              Effect.catchAllCause((cause) => Effect.logError("the swap at the reset failed", cause)),
            ),
          )
        })

      const swapOnce = (trigger: SwapTrigger) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const active = supervisor.account()?.name
          const base = {
            from: active ?? null,
            reason: trigger.reason,
            started_at: iso(now),
            relaunched: [],
            left_at_shell: [],
          }
          if (
            (trigger.exhausted !== undefined && trigger.exhausted !== active) ||
            (trigger.stillWanted !== undefined && !trigger.stillWanted())
          ) {
            // A late hit of an account already left behind (another session reported the same limit).
            return {
              outcome: "ignored",
              from: active ?? null,
              to: null,
              relaunched: [],
              leftAtShell: [],
              message: `${trigger.exhausted ?? "the account"} is no longer the active account (or no longer needs the swap)`,
            } satisfies SwapOutcome
          }
          if (trigger.exhausted !== undefined) {
            const until = cooldownUntil(trigger.resetAt, now)
            yield* state.update((s) => ({
              ...s,
              cooldowns: { ...s.cooldowns, [trigger.exhausted!]: iso(until) },
            }))
          }
          const refuse = (reason: string) =>
            Effect.gen(function* () {
              // The account in use is spent and there is nowhere to go: stop feeding it until it resets.
              const spent =
                trigger.exhausted === undefined ? undefined : state.get().cooldowns[trigger.exhausted]
              if (spent !== undefined) yield* setControl({ pausedUntil: Date.parse(spent) })
              yield* record({
                ...base,
                to: trigger.to ?? null,
                reset_at: trigger.resetAt === undefined ? null : iso(trigger.resetAt),
                outcome: "refused",
                message: reason,
              })
              yield* Effect.logError(`failover refused: ${reason}`)
              return yield* new FailoverRefused({ reason })
            })
          const choice = chooseTarget({
            accounts: settings.accounts,
            active,
            cooldowns: state.get().cooldowns,
            now,
            requested: trigger.to,
            force: trigger.force,
          })
          if (choice.kind === "refused") return yield* refuse(choice.reason)
          if (choice.kind === "wait") {
            const message = `every account is cooling down: dispatching paused until ${iso(choice.until)}, then ${choice.to.name}`
            yield* record({
              ...base,
              to: choice.to.name,
              reset_at: iso(choice.until),
              outcome: "waiting",
              message,
            })
            yield* Effect.logWarning(message)
            yield* waitForReset(choice.to, choice.until, now)
            return {
              outcome: "waiting",
              from: active ?? null,
              to: choice.to.name,
              relaunched: [],
              leftAtShell: [],
              until: choice.until,
              message,
            } satisfies SwapOutcome
          }
          // Forced onto it by the operator: its quota readings are from before they said it has room.
          if (trigger.force === true && Option.isSome(quotas)) yield* quotas.value.forget(choice.to.name)
          return outcomeOf(yield* moveTo(choice.to, trigger).pipe(Effect.catchAll((e) => refuse(e.reason))))
        }).pipe(
          Effect.catchTag("StateFileError", (e) =>
            Effect.fail(new FailoverRefused({ reason: `state not written: ${e.message}` })),
          ),
        )

      const swap = (trigger: SwapTrigger) => single.withPermits(1)(swapOnce(trigger))

      const cooldownCleared = (reason: string) =>
        single.withPermits(1)(
          Effect.gen(function* () {
            yield* FiberHandle.clear(resetWait)
            resetAt = undefined
            yield* setControl({ pausedUntil: 0 })
            const active = supervisor.account()
            const until = active === undefined ? undefined : state.get().cooldowns[active.name]
            const cooling = until !== undefined && Date.parse(until) > (yield* Clock.currentTimeMillis)
            if (active === undefined || cooling) return yield* swapOnce({ reason })
            const limited = table.all().filter((r) => r.phase === "limited")
            if (limited.length === 0) return { ...NOTHING_MOVED, from: active.name, to: active.name }
            // As at the reset: the same account again, each limited conversation resumed, spread out.
            yield* wave.begin
            return outcomeOf(
              yield* moveTo(active, { reason }).pipe(
                Effect.catchAll((e) => Effect.fail(new FailoverRefused({ reason: e.reason }))),
              ),
            )
          }),
        )

      return Failover.of({
        swap,
        cooldownCleared,
        status: Effect.gen(function* () {
          const s = state.get()
          const c = yield* SubscriptionRef.get(control.state)
          const now = yield* Clock.currentTimeMillis
          return {
            active: supervisor.account()?.name ?? null,
            swapping: c.swapping,
            paused_until: c.pausedUntil > now ? iso(c.pausedUntil) : null,
            cooldowns: s.cooldowns,
            history: s.history,
          }
        }),
        report: (hit) => Queue.offer(hits, hit).pipe(Effect.asVoid),
        runTriggers: Queue.take(hits).pipe(
          Effect.flatMap((hit) =>
            swap({
              reason: `usage limit on ${hit.session} (${hit.via})`,
              exhausted: hit.account,
              resetAt: hit.resetAt,
            }),
          ),
          // A defect too (a throw from a sync write): the next hit must still be taken, never a silent dead loop.
          Effect.catchAllCause((cause) =>
            Cause.isFailType(cause) ? Effect.void : Effect.logError("a failover trigger failed", cause),
          ),
          Effect.forever,
        ),
        swapIfActiveCooling: Effect.gen(function* () {
          const active = supervisor.account()?.name
          const until = active === undefined ? undefined : state.get().cooldowns[active]
          if (until === undefined || Date.parse(until) <= (yield* Clock.currentTimeMillis)) return
          yield* Effect.logWarning(
            `the active account ${active} is cooling down until ${until}: swapping now`,
          )
          yield* swap({
            reason: `${active} was cooling down at start (a stop before its swap)`,
            exhausted: active,
            resetAt: Date.parse(until),
          }).pipe(Effect.catchAll((e) => Effect.logError(`failover at start refused: ${e.reason}`)))
        }),
        completeInterrupted: Effect.gen(function* () {
          const interrupted = state.get().swap
          if (interrupted === null) return
          yield* Effect.logWarning(
            `finishing the failover to ${interrupted.to} a previous daemon left half done`,
          )
          yield* locked(runJournal(interrupted))
        }).pipe(
          Effect.catchAll((e) =>
            Effect.logError(`finishing the interrupted failover failed: ${failureText(e)}`),
          ),
        ),
      })
    }),
  )
