import { Clock, Duration, Effect, Layer, Option, Queue, SubscriptionRef } from "effect"
import { decideQuota, type QuotaDecision } from "../../domain/QuotaPolicy.js"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { Failover } from "../../services/Failover.js"
import { QuotaPolicy } from "../../services/QuotaPolicy.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"

/** The policy is looked at again on every daemon event, and at least this often. */
const lookEvery = Duration.seconds(5)

/**
 * Scheduling by quota (README "Scheduling by quota"): the decision for the active account from the quotas the
 * sessions report (AccountQuotas, when the intake runs), the cooldowns and accounts_policy; and the loop that
 * swaps before the wall. Without quota reports every decision is "ok": ccl runs to the limit as before.
 */
export const makeQuotaPolicy = Effect.gen(function* () {
  const settings = yield* AppConfig
  const state = yield* StateStore
  const supervisor = yield* SessionSupervisor
  const quotas = yield* Effect.serviceOption(AccountQuotas)
  const { table } = yield* DaemonSessions
  const failover = yield* Failover
  const events = yield* DaemonEvents
  const control = yield* DispatchControl

  const decide = (now: number, tasksWaiting: boolean): QuotaDecision => {
    const active = supervisor.account()?.name
    if (active === undefined || Option.isNone(quotas)) return { kind: "ok" }
    const cooldowns = state.get().cooldowns
    return decideQuota({
      active,
      quotas: (name) => quotas.value.get(name),
      others: settings.accounts
        .filter((a) => a.name !== active)
        .map((a) => ({ name: a.name, cooling: Date.parse(cooldowns[a.name] ?? "") > now })),
      thresholds: settings.accountsPolicy,
      tasksWaiting,
      now,
    })
  }

  /** No conversation of the operator's is mid-turn: a swap now interrupts nothing of theirs. */
  const quiet = () => table.all().every((r) => r.kind !== "dedicated" || r.state !== "busy")

  /** Local tasks the pool could start if the account allowed it (the dispatcher's last count). */
  let waiting = 0

  const look = Effect.gen(function* () {
    // A swap under way (the operator's, a limit's) changes the active account: look again once it is done.
    if ((yield* SubscriptionRef.get(control.state)).swapping) return
    const now = yield* Clock.currentTimeMillis
    const decision = decide(now, waiting > 0)
    if (decision.kind !== "swap") return
    if (settings.accountsPolicy.swap === "at_idle" && !quiet()) return
    const active = supervisor.account()?.name
    yield* Effect.logWarning(`${decision.reason}: swapping accounts before the limit`)
    yield* failover
      .swap({
        reason: decision.reason,
        exhausted: active,
        resetAt: decision.resetAt,
        // Another swap may run first (the operator's): this one only if the active account still asks for it.
        stillWanted: () =>
          supervisor.account()?.name === active && decide(Date.now(), waiting > 0).kind === "swap",
      })
      .pipe(Effect.catchAll((e) => Effect.logWarning(`quota swap refused: ${e.reason}`)))
  })

  const run = Effect.scoped(
    Effect.gen(function* () {
      const changes = yield* events.subscribe
      for (;;) {
        // Any event may change the picture (a quota report, a session going quiet): a look is cheap.
        yield* Effect.race(Effect.asVoid(Queue.take(changes)), Effect.sleep(lookEvery))
        yield* Queue.takeAll(changes)
        yield* look.pipe(Effect.catchAllCause((c) => Effect.logWarning("the quota policy failed", c)))
      }
    }),
  )

  return QuotaPolicy.of({
    decide: (now) => decide(now, waiting > 0),
    noteWaiting: (count) => {
      waiting = count
    },
    run,
  })
})

export const QuotaPolicyLive = Layer.effect(QuotaPolicy, makeQuotaPolicy)
