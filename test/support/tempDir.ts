import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterEach } from "vitest"

const made: Array<string> = []
afterEach(() => {
  // Agents and their hooks (in tmux sessions) may still be writing as a test ends: retry, and a temp folder
  // left behind is no reason to fail a test.
  for (const dir of made.splice(0)) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    } catch {}
  }
})

/** A fresh directory under the OS temp dir, removed after the test. */
export const tempDir = (prefix = "ccl-test-"): string => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  made.push(dir)
  return dir
}
