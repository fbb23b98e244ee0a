import { Clock, Effect, Option, SubscriptionRef } from "effect"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { Failover } from "../../services/Failover.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { NotFound, ServerError } from "./DaemonApiErrors.js"
import type { FailoverHandler } from "./DaemonApiHandlers.js"
import type { OperatorHandler } from "./DaemonApiOperator.js"
import type { OperatorAnswer } from "./DaemonApiSchemas.js"
import { makeTaskCancel } from "./TaskCancel.js"

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * `ccl failover clear|pause|resume` and `ccl queue cancel` in the daemon. The operator's pause is kept in state.json
 * (dispatch_paused) before it takes effect, so it holds across restarts; `restore` applies it at start.
 */
export const makeOperatorControl = Effect.gen(function* () {
  const settings = yield* AppConfig
  const state = yield* StateStore
  const control = yield* DispatchControl
  const supervisor = yield* SessionSupervisor
  const failover = yield* Failover
  const quotas = yield* Effect.serviceOption(AccountQuotas)
  const cancel = yield* makeTaskCancel
  const events = yield* DaemonEvents

  const answer = (message: string, cleared?: ReadonlyArray<string>) =>
    Effect.gen(function* () {
      const c = yield* SubscriptionRef.get(control.state)
      const now = yield* Clock.currentTimeMillis
      return {
        message,
        paused_by_operator: c.operatorPaused,
        paused_until: c.pausedUntil > now ? iso(c.pausedUntil) : null,
        cooldowns: state.get().cooldowns,
        ...(cleared === undefined ? {} : { cleared }),
      } satisfies OperatorAnswer
    })

  const setPaused = (paused: boolean) =>
    Effect.gen(function* () {
      yield* state.update((s) => ({ ...s, dispatch_paused: paused }))
      yield* SubscriptionRef.update(control.state, (c) => ({ ...c, operatorPaused: paused }))
      if (!paused) yield* control.wake
      // Every dashboard and `ccl status --watch` follows, not only the one that asked.
      yield* events.publish({
        type: "failover",
        kind: paused ? "operator_paused" : "operator_resumed",
        reason: "the operator",
      })
      yield* Effect.logInfo(
        paused
          ? "dispatching paused by the operator: tasks in flight carry on, no new ones start"
          : "dispatching resumed by the operator",
      )
    })

  const clearCooldowns = (account: string | undefined) =>
    Effect.gen(function* () {
      if (account !== undefined && !settings.accounts.some((a) => a.name === account))
        return yield* new NotFound({
          message: `no account ${account} in the configuration (accounts: ${settings.accounts.map((a) => a.name).join(", ") || "none"})`,
        })
      const before = state.get().cooldowns
      const cleared = Object.keys(before).filter((name) => account === undefined || name === account)
      yield* state.update((s) => ({
        ...s,
        cooldowns: Object.fromEntries(
          Object.entries(s.cooldowns).filter(([name]) => !cleared.includes(name)),
        ),
      }))
      // The operator says these have room: readings from before must not move the policy away from them.
      if (Option.isSome(quotas)) for (const name of cleared) yield* quotas.value.forget(name)
      if (cleared.length > 0)
        yield* events.publish({
          type: "failover",
          kind: "cooldown_cleared",
          account: cleared.join(", "),
          reason: "the operator",
        })
      const now = yield* Clock.currentTimeMillis
      const active = supervisor.account()?.name
      const activeUntil = active === undefined ? undefined : state.get().cooldowns[active]
      const activeCools = activeUntil !== undefined && Date.parse(activeUntil) > now
      const c = yield* SubscriptionRef.get(control.state)
      const what = cleared.length === 0 ? "no cooldown to clear" : `cooldown cleared: ${cleared.join(", ")}`
      let then = activeCools
        ? `; the active account ${active} still cools down until ${activeUntil}: \`ccl failover swap\` moves the sessions`
        : ""
      // Waiting for a reset (every account spent): the reset comes now, as the failover would make it.
      if (c.pausedUntil > now && cleared.length > 0) {
        const moved = yield* Effect.either(
          failover.cooldownCleared(`the operator cleared the cooldown of ${cleared.join(", ")}`),
        )
        then =
          moved._tag === "Left"
            ? `; still waiting: ${moved.left.reason}`
            : moved.right.outcome === "swapped"
              ? `; dispatching resumed, ${moved.right.message}`
              : "; dispatching resumed"
        yield* control.wake
      }
      yield* Effect.logInfo(`operator: ${what}${then}`)
      return yield* answer(`${what}${then}`, cleared)
    })

  const failed = (e: { readonly message: string }) => new ServerError({ message: e.message })

  return {
    /** At start, before the dispatcher runs: the operator's pause of a previous daemon holds. */
    restore: Effect.gen(function* () {
      if (!state.get().dispatch_paused) return
      yield* SubscriptionRef.update(control.state, (c) => ({ ...c, operatorPaused: true }))
      yield* Effect.logWarning("dispatching is paused by the operator: `ccl failover resume` restarts it")
    }),
    handler: {
      cancel,
      clearCooldowns: (account) =>
        clearCooldowns(account).pipe(Effect.catchTag("StateFileError", (e) => Effect.fail(failed(e)))),
      pause: setPaused(true).pipe(
        Effect.zipRight(answer("dispatching paused: tasks in flight carry on, no new ones start")),
        Effect.mapError(failed),
      ),
      resume: setPaused(false).pipe(
        Effect.zipRight(answer("dispatching resumed")),
        Effect.map((a) =>
          a.paused_until === null
            ? a
            : {
                ...a,
                message: `${a.message}; every account cools down: new tasks start at ${a.paused_until}`,
              },
        ),
        Effect.mapError(failed),
      ),
    } satisfies OperatorHandler,
    /** /api/status and `ccl failover status` show the operator's pause with the failover's state. */
    withPauseShown: (failover: FailoverHandler): FailoverHandler => ({
      ...failover,
      status: Effect.flatMap(failover.status, (view) =>
        view === null
          ? Effect.succeed(null)
          : Effect.map(SubscriptionRef.get(control.state), (c) => ({
              ...view,
              paused_by_operator: c.operatorPaused,
            })),
      ),
    }),
  }
})
