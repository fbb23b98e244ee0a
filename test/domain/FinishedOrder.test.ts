import { describe, expect, it } from "vitest"
import { compareFinished, newestFinished } from "../../src/domain/FinishedOrder.js"

/** A deterministic shuffle of `n` tasks with repeated times (ties go by id). */
const tasks = (n: number, seed: number) => {
  let x = seed
  const next = () => {
    x = (x * 1103515245 + 12345) % 2 ** 31
    return x
  }
  return Array.from({ length: n }, (_, i) => ({ id: `t${next() % 1000}-${i}`, modifiedAt: next() % 50 }))
}

describe("newestFinished", () => {
  it.each([
    [0, 5],
    [1, 1],
    [7, 3],
    [200, 30],
    [200, 0],
    [30, 200],
  ])("of %i tasks, the %i newest are the head of the full sort", (n, k) => {
    for (const seed of [1, 7, 42]) {
      const all = tasks(n, seed)
      expect(newestFinished(all, k)).toEqual([...all].sort(compareFinished).slice(0, k))
    }
  })

  it("orders newest first, then by id; a negative limit gives nothing", () => {
    const rows = [
      { id: "b", modifiedAt: 5 },
      { id: "a", modifiedAt: 5 },
      { id: "c", modifiedAt: 9 },
      { id: "d", modifiedAt: 1 },
    ]
    expect(newestFinished(rows, 3).map((r) => r.id)).toEqual(["c", "a", "b"])
    expect(newestFinished(rows, -1)).toEqual([])
  })
})
