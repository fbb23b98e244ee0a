import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { comparePending, insertSorted, type PendingKey } from "../../src/domain/PendingOrder.js"

const key = (id: string, priority: number, enqueuedAt: number): PendingKey => ({ id, priority, enqueuedAt })
const ids = (xs: ReadonlyArray<PendingKey>) => xs.map((x) => x.id)

// DESIGN.md "Queue on disk": priority (higher first), then enqueue time (older first), then id.
const reference = (a: PendingKey, b: PendingKey): number => {
  if (a.priority !== b.priority) return a.priority > b.priority ? -1 : 1
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt < b.enqueuedAt ? -1 : 1
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0
}

describe("comparePending", () => {
  it.each([
    { name: "higher priority first", a: key("b", 5, 200), b: key("a", 1, 100) },
    { name: "a negative priority after the default 0", a: key("z", 0, 300), b: key("a", -1, 100) },
    { name: "same priority: older first", a: key("z", 3, 100), b: key("a", 3, 200) },
    { name: "same priority and time: id order", a: key("alpha", 3, 100), b: key("beta", 3, 100) },
  ])("$name", ({ a, b }) => {
    expect(comparePending(a, b)).toBeLessThan(0)
    expect(comparePending(b, a)).toBeGreaterThan(0)
  })

  it("is 0 for the same key", () => {
    expect(comparePending(key("a", 1, 1), key("a", 1, 1))).toBe(0)
  })

  it("sorts a queue in dispatch order", () => {
    const queue = [
      key("low-old", 0, 100),
      key("high-new", 9, 900),
      key("mid-b", 5, 500),
      key("high-old", 9, 100),
      key("mid-a", 5, 500),
      key("negative", -3, 1),
      key("low-new", 0, 200),
    ]
    expect(ids([...queue].sort(comparePending))).toEqual([
      "high-old",
      "high-new",
      "mid-a",
      "mid-b",
      "low-old",
      "low-new",
      "negative",
    ])
  })
})

// Small ranges so that equal priorities and equal times are common; ids are unique as file names are.
const pendingKeys = fc.uniqueArray(
  fc.record({
    id: fc.string({ minLength: 1, maxLength: 3 }),
    priority: fc.integer({ min: -2, max: 2 }),
    enqueuedAt: fc.integer({ min: 0, max: 4 }),
  }),
  { selector: (k) => k.id, maxLength: 40 },
)

describe("insertSorted", () => {
  it("inserts at the front, the middle and the end", () => {
    const sorted = [key("b", 5, 1), key("d", 1, 1)]
    insertSorted(sorted, key("a", 9, 1))
    insertSorted(sorted, key("c", 3, 1))
    insertSorted(sorted, key("e", 0, 1))
    expect(ids(sorted)).toEqual(["a", "b", "c", "d", "e"])
  })

  it.prop("inserting one by one gives the same array as a full sort", [pendingKeys], ([keys]) => {
    const sorted: Array<PendingKey> = []
    for (const k of keys) insertSorted(sorted, k)
    expect(sorted).toEqual([...keys].sort(reference))
  })

  it.prop("keeps a sorted array sorted after one insertion", [pendingKeys], ([keys]) => {
    fc.pre(keys.length > 0)
    const [item, ...rest] = keys
    const sorted = [...rest].sort(reference)
    insertSorted(sorted, item!)
    expect(sorted).toEqual([...keys].sort(reference))
  })

  it.prop("comparePending agrees in sign with the documented order", [pendingKeys], ([keys]) => {
    for (const a of keys) for (const b of keys) expect(Math.sign(comparePending(a, b))).toBe(reference(a, b))
  })
})
