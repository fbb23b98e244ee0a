import { describe, expect, it } from "@effect/vitest"
import { type FencingView, stopVerdict } from "../../src/domain/StopFencing.js"

const view = (over: Partial<FencingView> = {}): FencingView => ({
  working: true,
  task: { sentAt: 1_000, promptId: "p-b" },
  owedStops: 0,
  filedPrompts: ["p-a"],
  ...over,
})

describe("stopVerdict", () => {
  it("the task's own prompt id files it, whenever it arrives", () => {
    expect(stopVerdict(view(), { promptId: "p-b", at: 1_001 })).toEqual({ kind: "file" })
    // Even with an owed Stop outstanding: the id proves it.
    expect(stopVerdict(view({ owedStops: 2 }), { promptId: "p-b", at: 9_999_999 })).toEqual({ kind: "file" })
  })

  it("a filed prompt's id, or another id while the task's is known, is late", () => {
    expect(stopVerdict(view(), { promptId: "p-a", at: 5_000 })).toEqual({ kind: "late", paysOwed: false })
    expect(stopVerdict(view({ owedStops: 1 }), { promptId: "p-x", at: 5_000 })).toEqual({
      kind: "late",
      paysOwed: true,
    })
    expect(stopVerdict(view(), { promptId: "p-x", at: 5_000 })).toEqual({ kind: "late", paysOwed: false })
  })

  it("without ids: owed Stops come first, then the task's, never one from before its prompt", () => {
    const noIds = view({ task: { sentAt: 1_000 }, filedPrompts: [] })
    expect(stopVerdict({ ...noIds, owedStops: 1 }, { promptId: undefined, at: 2_000 })).toEqual({
      kind: "late",
      paysOwed: true,
    })
    expect(stopVerdict(noIds, { promptId: undefined, at: 999 })).toEqual({ kind: "none" })
    expect(stopVerdict(noIds, { promptId: undefined, at: 1_000 })).toEqual({ kind: "file" })
    // An id the daemon never bound (its UserPromptSubmit not in yet) falls back to the same rules.
    expect(stopVerdict(noIds, { promptId: "p-new", at: 1_500 })).toEqual({ kind: "file" })
  })

  it("no task in hand, or a session not working: nothing to file", () => {
    expect(stopVerdict(view({ task: undefined }), { promptId: undefined, at: 5_000 })).toEqual({
      kind: "none",
    })
    expect(stopVerdict(view({ working: false }), { promptId: "p-b", at: 5_000 })).toEqual({ kind: "none" })
  })
})
