// The simulated agent's QUOTA file as its statusline's rate_limits (issue 14): percents with resets 5 h / 7 d after
// the file was written (stable from one turn to the next), or windows as Claude Code writes them; none without it.

import { utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { rateLimitsOf } from "../../src/programs/SimAgentStatusLine.js"
import { tempDir } from "../support/tempDir.js"

describe("the sim agent's QUOTA file", () => {
  it("percents get resets from the file's time; a window object is kept; no file is no rate_limits", () => {
    const file = path.join(tempDir(), "QUOTA")
    expect(rateLimitsOf(file)).toBeUndefined()
    writeFileSync(file, JSON.stringify({ five_hour: 42, seven_day: 10 }))
    const written = new Date("2030-01-01T00:00:00Z")
    utimesSync(file, written, written)
    const at = written.getTime() / 1000
    expect(rateLimitsOf(file)).toEqual({
      five_hour: { used_percentage: 42, resets_at: at + 5 * 3600 },
      seven_day: { used_percentage: 10, resets_at: at + 7 * 86400 },
    })
    writeFileSync(
      file,
      JSON.stringify({ five_hour: { used_percentage: 99.5, resets_at: 1900000000 }, seven_day: "x" }),
    )
    expect(rateLimitsOf(file)).toEqual({ five_hour: { used_percentage: 99.5, resets_at: 1900000000 } })
    writeFileSync(file, "not json")
    expect(rateLimitsOf(file)).toBeUndefined()
  })
})
