// isClearedScreen: the positive sign that /clear took effect, on the real Claude Code 2.1.332 recordings and on the
// simulated agent's screens.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { deliveryEvidence, isClearedScreen } from "../../src/domain/ScreenTurns.js"
import { renderScreen } from "../../src/domain/SimAgentScreen.js"

const dir = path.resolve(__dirname, "../fixtures/claude-code/screens")
const read = (file: string) => readFileSync(path.join(dir, file), "utf8")
const sim = (turns: ReadonlyArray<{ prompt: string; reply: string[] }>, summary?: string) =>
  renderScreen(
    { header: undefined, turns, summary, spinnerFrame: undefined, input: "" },
    { rows: 40, cols: 120 },
  ).join("\n")

describe("isClearedScreen", () => {
  it("real Claude Code: the screen /clear leaves (header and `❯ /clear`) and a fresh start are cleared", () => {
    expect(isClearedScreen(read("cleared.txt"))).toBe(true)
    expect(isClearedScreen(read("idle.txt"))).toBe(true)
  })

  it("real Claude Code: an idle screen that still shows a turn is not cleared", () => {
    for (const file of ["pasted.txt", "limit-cancelled.txt", "resumed-config2.txt", "resumed.txt"])
      expect(isClearedScreen(read(file)), file).toBe(false)
  })

  it("a busy screen (no input box) is not cleared", () => {
    expect(isClearedScreen(read("busy.txt"))).toBe(false)
    expect(isClearedScreen("")).toBe(false)
  })

  it("the simulated agent: a fresh conversation is cleared; one with a turn, or only its done line, is not", () => {
    expect(isClearedScreen(sim([]))).toBe(true)
    expect(isClearedScreen(sim([{ prompt: "task one", reply: ["Done: task one"] }], "✻ Baked for 1s"))).toBe(
      false,
    )
    // A long reply scrolled its prompt and first line off: the done line still tells.
    const tail = Array.from({ length: 60 }, (_, i) => `  reply line ${i}`)
    const scrolled = [...tail, "", "✻ Baked for 3s", "", sim([]).split("\n").slice(-4).join("\n")].join("\n")
    expect(isClearedScreen(scrolled)).toBe(false)
  })

  it("a prompt that merely mentions /clear is a turn", () => {
    expect(isClearedScreen(sim([{ prompt: "/clear the cache", reply: ["ok"] }]))).toBe(false)
  })

  it("deliveryEvidence: a paste waiting in the input box, a cleared conversation, a turn on screen", () => {
    expect(deliveryEvidence(read("pasted.txt"))).toBe("in-input")
    expect(deliveryEvidence(read("cleared.txt"))).toBe("absent")
    expect(deliveryEvidence(read("busy.txt"))).toBe("submitted")
    expect(deliveryEvidence(read("limit-cancelled.txt"))).toBe("submitted")
    expect(deliveryEvidence(sim([]))).toBe("absent")
    expect(deliveryEvidence(sim([{ prompt: "[ccl task t: x] do", reply: ["Done"] }], "✻ Baked for 1s"))).toBe(
      "submitted",
    )
    const typed = renderScreen(
      {
        header: undefined,
        turns: [],
        summary: undefined,
        spinnerFrame: undefined,
        input: "[ccl task t: x] do",
      },
      { rows: 40, cols: 120 },
    ).join("\n")
    expect(deliveryEvidence(typed)).toBe("in-input")
  })
})
