import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { readResumeId, resumeIdPath, writeResumeId } from "../../src/programs/daemon/ResumeIdFile.js"
import { tempDir as makeTempDir } from "../support/tempDir.js"

const ID = "0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b"

describe("resume-id.txt", () => {
  it("round-trips a UUID, written 0600 in a 0700 folder", () => {
    const dir = makeTempDir()
    writeResumeId(dir, "ccl-1-x", ID)
    expect(readResumeId(dir, "ccl-1-x")).toEqual({ kind: "valid", id: ID })
    const file = resumeIdPath(dir, "ccl-1-x")
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
  })

  it("refuses to write anything but a UUID", () => {
    const dir = makeTempDir()
    expect(() => writeResumeId(dir, "s", "x; rm -rf ~")).toThrow(/not a resume UUID/)
    expect(existsSync(resumeIdPath(dir, "s"))).toBe(false)
  })

  it("reports a missing file", () => {
    expect(readResumeId(makeTempDir(), "s")).toEqual({ kind: "missing" })
  })

  for (const [label, content] of [
    ["shell injection", "x; rm -rf ~"],
    ["garbage bytes", "\u0000\u00ff\u0001garbage"],
    ["a UUID with trailing junk", `${ID}; rm -rf ~`],
    ["two UUIDs", `${ID}\n${ID}`],
    ["empty", ""],
  ] as const) {
    it(`rejects ${label} and moves the file aside`, () => {
      const dir = makeTempDir()
      const file = resumeIdPath(dir, "s")
      writeResumeId(dir, "s", ID)
      writeFileSync(file, content)
      const read = readResumeId(dir, "s", Date.parse("2026-11-24T10:00:00Z"))
      expect(read.kind).toBe("invalid")
      expect(existsSync(file)).toBe(false)
      const aside = readdirSync(path.dirname(file)).filter((n) => n.includes(".corrupt."))
      expect(aside).toHaveLength(1)
      expect(readFileSync(path.join(path.dirname(file), aside[0]!), "utf8")).toBe(content)
    })
  }
})
