// Staggered starts at a reset (issue 14): when every account was spent, the sessions start again a few at a time
// (accounts_policy.resume_spread over N sessions), the first turn checked before the rest go.

export interface ResetWave {
  readonly startedAt: number
  /** Between two starts: resume_spread / N. */
  readonly stepMs: number
  /** Starts the wave allows in all (the sessions). */
  readonly total: number
  /** Sessions given a start so far, in order. */
  readonly granted: ReadonlyArray<string>
  /** When the last start was given: the next one is a step after it, however late the first came. */
  readonly lastAt: number
}

/** A wave gives up holding anything back after its spread and this long again (a first turn that never shows). */
export const WAVE_GRACE_MS = 5 * 60_000

export const beginWave = (now: number, spreadMs: number, total: number): ResetWave => ({
  startedAt: now,
  stepMs: total <= 1 ? 0 : Math.floor(spreadMs / total),
  total,
  granted: [],
  lastAt: now,
})

/** Over: every start given, or held long enough. */
export const waveOver = (w: ResetWave, spreadMs: number, now: number): boolean =>
  w.granted.length >= w.total || now > w.startedAt + spreadMs + WAVE_GRACE_MS

/** When the next start is due: the first at once, each next one a step after the one before. */
export const nextStartAt = (w: ResetWave): number =>
  w.granted.length === 0 ? w.startedAt : w.lastAt + w.stepMs

/**
 * May one more session start now? The first at once; each next one at its slot, and only once the first
 * started turn was seen working or done without a limit (`firstChecked`).
 */
export const mayStart = (w: ResetWave, now: number, firstChecked: boolean): boolean =>
  w.granted.length === 0 || (firstChecked && now >= nextStartAt(w))

export const grant = (w: ResetWave, session: string, now: number): ResetWave => ({
  ...w,
  granted: [...w.granted, session],
  lastAt: now,
})
