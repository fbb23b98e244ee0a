import { describe, expect, it } from "@effect/vitest"
import {
  beginWave,
  grant,
  mayStart,
  nextStartAt,
  WAVE_GRACE_MS,
  waveOver,
} from "../../src/domain/ResetWave.js"

describe("ResetWave: staggered starts at a reset", () => {
  it("the first starts at once, the next ones at their slots and only once the first turn is checked", () => {
    let w = beginWave(1_000, 30_000, 3)
    expect(w.stepMs).toBe(10_000)
    expect(mayStart(w, 1_000, false)).toBe(true)
    // The first came late (its agent took 2 s to relaunch): the next is still a full step after it.
    w = grant(w, "ccl-pool-1", 3_000)
    // Not before its slot, even with the first turn checked; not after it while the first is unchecked.
    expect(mayStart(w, 12_999, true)).toBe(false)
    expect(mayStart(w, 13_000, false)).toBe(false)
    expect(mayStart(w, 13_000, true)).toBe(true)
    w = grant(w, "ccl-pool-2", 13_500)
    expect(nextStartAt(w)).toBe(23_500)
    w = grant(w, "ccl-pool-3", 23_500)
    expect(waveOver(w, 30_000, 23_500)).toBe(true)
  })

  it("one session: no spacing; a wave that never gets its first turn checked gives up after its grace", () => {
    expect(beginWave(0, 30_000, 1).stepMs).toBe(0)
    const w = grant(beginWave(0, 30_000, 4), "ccl-pool-1", 0)
    expect(waveOver(w, 30_000, 30_000 + WAVE_GRACE_MS)).toBe(false)
    expect(waveOver(w, 30_000, 30_001 + WAVE_GRACE_MS)).toBe(true)
  })
})
