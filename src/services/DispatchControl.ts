import { Context, Effect, Layer, Queue, SubscriptionRef } from "effect"
import type { ResetWave } from "../domain/ResetWave.js"

/**
 * Whether the dispatcher may start tasks: not while stopping or swapping, nor before `pausedUntil` (ms), nor while
 * the operator paused it.
 */
export interface ControlState {
  readonly stopping: boolean
  readonly swapping: boolean
  /** Every account is cooling down: no dispatch until then (epoch ms; 0 when not paused). */
  readonly pausedUntil: number
  /** `ccl failover pause` until `ccl failover resume` (kept in state.json as dispatch_paused). */
  readonly operatorPaused: boolean
  /** After a reset with every account spent: starts spread out (ResetWave.ts); none otherwise. */
  readonly wave?: ResetWave | undefined
}

/**
 * What gates and wakes the dispatch loop. The failover and the shutdown change `state`; anything that frees a
 * session or adds work calls `wake` (wake-ups coalesce: one pending at most).
 */
export class DispatchControl extends Context.Tag("ccl/DispatchControl")<
  DispatchControl,
  {
    readonly state: SubscriptionRef.SubscriptionRef<ControlState>
    readonly wake: Effect.Effect<void>
    /** Waits for the next wake-up. */
    readonly awaitWake: Effect.Effect<void>
  }
>() {}

/** May a task be dispatched at `now`? */
export const mayDispatch = (s: ControlState, now: number): boolean =>
  !s.stopping && !s.swapping && !s.operatorPaused && now >= s.pausedUntil

export const DispatchControlLive = Layer.effect(
  DispatchControl,
  Effect.gen(function* () {
    const state = yield* SubscriptionRef.make<ControlState>({
      stopping: false,
      swapping: false,
      pausedUntil: 0,
      operatorPaused: false,
    })
    const wakes = yield* Queue.sliding<void>(1)
    return { state, wake: Queue.offer(wakes, undefined), awaitWake: Queue.take(wakes) }
  }),
)
