import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { sanitizePaste } from "../../src/domain/PasteText.js"
import { TmuxPoolMemory } from "../../src/layers/TmuxPoolMemory.js"
import { TmuxPool } from "../../src/services/TmuxPool.js"

describe("TmuxPoolMemory", () => {
  it.effect("keeps sessions, screens and what was sent, as the real layer's contract says", () =>
    Effect.gen(function* () {
      const { layer, script } = yield* TmuxPoolMemory
      yield* Effect.gen(function* () {
        const t = yield* TmuxPool
        yield* t.create({ name: "a", cwd: "/", env: {} })
        expect((yield* Effect.flip(t.create({ name: "a", cwd: "/", env: {} })))._tag).toBe("TmuxError")
        yield* t.sendText("a", "hi\x1b[201~\\")
        expect(script.sent("a")).toEqual([sanitizePaste("hi\x1b[201~\\")])
        script.setScreen("a", "? for shortcuts")
        expect(yield* t.capture("a")).toBe("? for shortcuts")
        script.vanish("a")
        expect(yield* t.has("a")).toBe(false)
        expect((yield* Effect.flip(t.sendText("a", "x")))._tag).toBe("TmuxError")
      }).pipe(Effect.provide(layer))
    }),
  )
})

describe("sanitizePaste", () => {
  it.each([
    ["plain", "plain"],
    ["a\r\nb\rc", "a\nb\nc"],
    ["esc\x1b[201~x", "esc[201~x"],
    ["tab\tnewline\nkept", "tab\tnewline\nkept"],
    ["bell\x07 del\x7f nul\x00", "bell del nul"],
    ["trailing\\", "trailing\\ "],
    ["trailing\\   \n\n", "trailing\\ "],
    ["  spaces before are kept, after are not  ", "  spaces before are kept, after are not"],
  ])("%j -> %j", (input, output) => {
    expect(sanitizePaste(input)).toBe(output)
  })
})
