import { Clock, Effect, SubscriptionRef } from "effect"
import { beginWave, grant, mayStart, nextStartAt, type ResetWave, waveOver } from "../../domain/ResetWave.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { DispatchControl } from "../../services/DispatchControl.js"

/**
 * The reset's staggered starts (accounts_policy.resume_spread): a session resuming its task, or a pool session
 * taking a new one, asks for a start; the first goes at once, the next ones at their slots once the first turn is
 * seen working (or done) without a limit. Callers hold the daemon's lock.
 */
export const makeWaveGate = Effect.gen(function* () {
  const settings = yield* AppConfig
  const control = yield* DispatchControl
  const { table } = yield* DaemonSessions
  const spreadMs = settings.accountsPolicy.resumeSpreadMs

  /** The first started session's turn runs (busy seen) or ended well: the account takes turns again. */
  const firstChecked = (w: ResetWave): boolean => {
    const first = w.granted[0] === undefined ? undefined : table.get(w.granted[0])
    if (first === undefined || first.phase === "limited") return false
    return first.task === undefined
      ? first.phase === "ready" || first.phase === "clearing"
      : first.task.sawBusy
  }

  /** Starts a wave over every session (at a reset the daemon brings about). */
  const begin = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    // The sessions that will ask: the pool, and any dedicated one holding a task.
    const wave = beginWave(
      now,
      spreadMs,
      table.all().filter((r) => r.kind === "pool" || r.task !== undefined).length,
    )
    yield* SubscriptionRef.update(control.state, (s) => ({ ...s, wave }))
    yield* Effect.logInfo(
      `reset wave: ${wave.total} sessions start again one every ${wave.stepMs} ms, the first turn checked before the rest`,
    )
  })

  /** Whether `session` may start now (then its start is counted), else when to ask again (epoch ms). */
  const tryStart = (session: string) =>
    Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const w = (yield* SubscriptionRef.get(control.state)).wave
      if (w === undefined) return { go: true } as const
      if (waveOver(w, spreadMs, now)) {
        yield* SubscriptionRef.update(control.state, (s) => ({ ...s, wave: undefined }))
        return { go: true } as const
      }
      if (w.granted.includes(session)) return { go: true } as const
      if (!mayStart(w, now, firstChecked(w)))
        return { go: false, retryAt: Math.max(now + 200, nextStartAt(w)) } as const
      yield* SubscriptionRef.update(control.state, (s) => ({ ...s, wave: grant(w, session, now) }))
      yield* Effect.logInfo(`reset wave: ${session} starts (${w.granted.length + 1} of ${w.total})`)
      return { go: true } as const
    })

  return { begin, tryStart }
})
