import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { writeFileDurably, writeFileDurablyAsync } from "../../src/layers/DurableFile.js"
import { tempDir } from "../support/tempDir.js"

// `data` that makes the write itself throw, once the temp file exists (a type error, so it fails as root too).
const notData = {} as unknown as string

const variants = [
  ["writeFileDurably", async (...a: Parameters<typeof writeFileDurably>) => writeFileDurably(...a)],
  ["writeFileDurablyAsync", writeFileDurablyAsync],
] as const

for (const [name, write] of variants) {
  describe(name, () => {
    it("writes the content whole, 0600, creating the folder 0700", async () => {
      const file = path.join(tempDir(), "a", "b", "f.txt")
      await write(file, "hello\n")
      expect(readFileSync(file, "utf8")).toBe("hello\n")
      expect(statSync(file).mode & 0o777).toBe(0o600)
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
      expect(statSync(path.dirname(path.dirname(file))).mode & 0o777).toBe(0o700)
    })

    it("writes bytes and honours mode and dirMode", async () => {
      const file = path.join(tempDir(), "d", "f.bin")
      await write(file, new Uint8Array([0, 1, 255]), { mode: 0o640, dirMode: 0o750 })
      expect([...readFileSync(file)]).toEqual([0, 1, 255])
      expect(statSync(file).mode & 0o777).toBe(0o640 & ~process.umask())
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o750 & ~process.umask())
    })

    it("replaces an existing file, and two writes in a row leave no temp file", async () => {
      const dir = tempDir()
      const file = path.join(dir, "f.json")
      writeFileSync(file, "old, and longer than the new content")
      await write(file, "one")
      await write(file, "two")
      expect(readFileSync(file, "utf8")).toBe("two")
      expect(readdirSync(dir)).toEqual(["f.json"])
    })

    it("concurrent writes of one file use distinct temp files", async () => {
      const dir = tempDir()
      const file = path.join(dir, "f")
      await Promise.all(["a", "b", "c"].map((s) => write(file, s.repeat(100_000))))
      expect(readFileSync(file, "utf8")).toMatch(/^(a{100000}|b{100000}|c{100000})$/)
      expect(readdirSync(dir)).toEqual(["f"])
    })

    it("a failing write leaves the old content and no temp file", async () => {
      const dir = tempDir()
      const file = path.join(dir, "f")
      writeFileSync(file, "old")
      await expect(write(file, notData)).rejects.toThrow()
      expect(readFileSync(file, "utf8")).toBe("old")
      expect(readdirSync(dir)).toEqual(["f"])
    })

    it("a failing rename (the target is a folder) leaves no temp file", async () => {
      const dir = tempDir()
      const target = path.join(dir, "t")
      mkdirSync(target)
      writeFileSync(path.join(target, "inside"), "kept")
      await expect(write(target, "new")).rejects.toThrow()
      expect(readdirSync(dir)).toEqual(["t"])
      expect(readFileSync(path.join(target, "inside"), "utf8")).toBe("kept")
    })

    it("fails when the parent is a regular file, writing nothing", async () => {
      const dir = tempDir()
      writeFileSync(path.join(dir, "plain"), "old")
      await expect(write(path.join(dir, "plain", "f"), "new")).rejects.toThrow(/EEXIST|ENOTDIR/)
      expect(readdirSync(dir)).toEqual(["plain"])
      expect(readFileSync(path.join(dir, "plain"), "utf8")).toBe("old")
    })
  })
}
