import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { formatDurationMs, parseDurationText } from "../../src/domain/DurationText.js"

const S = 1000
const M = 60 * S
const H = 60 * M
const D = 24 * H

describe("parseDurationText", () => {
  it.each([
    { text: "90s", ms: 90 * S },
    { text: "5m", ms: 5 * M },
    { text: "90m", ms: 90 * M },
    { text: "2h", ms: 2 * H },
    { text: "1h30m", ms: H + 30 * M },
    { text: "1d", ms: D },
    { text: "1d2h3m4s", ms: D + 2 * H + 3 * M + 4 * S },
    { text: "250ms", ms: 250 },
    { text: "1m5s", ms: M + 5 * S },
    { text: "1.5h", ms: 1.5 * H },
    { text: "0.5s", ms: 500 },
    { text: "90", ms: 90 * S }, // a bare number means seconds
    { text: "0", ms: 0 },
    { text: " 2h ", ms: 2 * H },
    { text: "2H", ms: 2 * H },
  ])("parses $text as $ms ms", ({ text, ms }) => {
    expect(parseDurationText(text)).toBe(ms)
  })

  it.each([
    "",
    "   ",
    "h",
    "abc",
    "2x",
    "2 hours",
    "-5m",
    "5m-",
    "1h 30m",
    "m5",
    "1mm",
    "2hh",
    "1.h",
    ".5h",
    "1e3s",
  ])("rejects %j", (text) => {
    expect(parseDurationText(text)).toBeUndefined()
  })

  it("does not carry state between calls", () => {
    expect(parseDurationText("1h2x")).toBeUndefined()
    expect(parseDurationText("3m")).toBe(3 * M)
    expect(parseDurationText("3m")).toBe(3 * M)
  })
})

describe("formatDurationMs", () => {
  it.each([
    { ms: 2 * H, text: "2h" },
    { ms: H + 30 * M, text: "1h30m" },
    { ms: 45 * S, text: "45s" },
    { ms: 250, text: "250ms" },
    { ms: 0, text: "0ms" },
    { ms: M, text: "1m" },
    { ms: D + H + M + S, text: "1d1h1m1s" },
    { ms: 2 * D, text: "2d" },
  ])("formats $ms ms as $text", ({ ms, text }) => {
    expect(formatDurationMs(ms)).toBe(text)
  })

  it.prop(
    "whole seconds survive format then parse",
    [fc.integer({ min: 1, max: 400 * 86_400 })],
    ([seconds]) => {
      expect(parseDurationText(formatDurationMs(seconds * S))).toBe(seconds * S)
    },
  )

  it.prop(
    "whole milliseconds under a second survive format then parse",
    [fc.integer({ min: 0, max: 999 })],
    ([ms]) => {
      expect(parseDurationText(formatDurationMs(ms))).toBe(ms)
    },
  )
})
