import { appendFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { transcriptLimitSince } from "../../src/programs/daemon/TranscriptLimit.js"
import { tempDir } from "../support/tempDir.js"

const entry = (at: string, extra: Record<string, unknown>) =>
  `${JSON.stringify({ type: "assistant", timestamp: at, sessionId: "s", ...extra })}\n`

const limit = (at: string, text = "You've hit your limit · resets 8pm (Europe/Paris)") =>
  entry(at, {
    isApiErrorMessage: true,
    error: "rate_limit",
    message: { role: "assistant", content: [{ type: "text", text }] },
  })

describe("transcriptLimitSince", () => {
  const since = Date.parse("2026-11-24T10:00:00Z")

  it("finds a rate_limit entry written after the prompt, with its reset time", () => {
    const file = path.join(tempDir(), "t.jsonl")
    writeFileSync(file, entry("2026-11-24T10:00:01Z", { message: { content: "hi" } }))
    appendFileSync(file, limit("2026-11-24T10:00:02Z"))
    const hit = transcriptLimitSince(file, since, "UTC")
    expect(hit).toBeDefined()
    expect(hit?.resetAt?.toISOString()).toBe("2026-11-24T19:00:00.000Z")
  })

  it("ignores a hit from before the prompt (an earlier turn) and entries that are not API errors", () => {
    const file = path.join(tempDir(), "t.jsonl")
    writeFileSync(file, limit("2026-11-24T09:59:59Z"))
    appendFileSync(
      file,
      entry("2026-11-24T10:00:03Z", { error: "rate_limit", message: { content: "talk about rate_limit" } }),
    )
    expect(transcriptLimitSince(file, since, "UTC")).toBeUndefined()
  })

  it("a hit without a reset time still counts; a missing file is no hit", () => {
    const file = path.join(tempDir(), "t.jsonl")
    writeFileSync(file, limit("2026-11-24T10:00:02Z", "Claude usage limit reached."))
    expect(transcriptLimitSince(file, since, "UTC")).toEqual({ resetAt: undefined })
    expect(transcriptLimitSince(path.join(tempDir(), "none.jsonl"), since, "UTC")).toBeUndefined()
  })

  it("reads only the end of a long transcript (a cut first line is skipped)", () => {
    const file = path.join(tempDir(), "t.jsonl")
    writeFileSync(file, entry("2026-11-24T10:00:01Z", { message: { content: "x".repeat(200_000) } }))
    appendFileSync(file, limit("2026-11-24T10:00:02Z"))
    expect(transcriptLimitSince(file, since, "UTC")).toBeDefined()
  })
})
