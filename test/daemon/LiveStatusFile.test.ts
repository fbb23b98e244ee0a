// Claude Code's live status file `<home>/sessions/<pid>.json`, as the real 2.1.332 writes it (bug 3: its `tmux`
// field is `<session>:@<window>.<pane>`, never the bare pane id ccl compared it with).

import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { liveSessionId, liveStatus, tmuxFieldMatches } from "../../src/programs/daemon/LiveStatusFile.js"
import { tempDir } from "../support/tempDir.js"

const ID = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"

/** A home whose sessions/ holds one status file of a live process (this test's own pid). */
const homeWith = (record: Record<string, unknown>) => {
  const home = tempDir()
  mkdirSync(path.join(home, "sessions"), { recursive: true })
  writeFileSync(
    path.join(home, "sessions", `${process.pid}.json`),
    JSON.stringify({ pid: process.pid, sessionId: ID, status: "busy", ...record }),
  )
  return home
}

describe("the live status file of the real binary", () => {
  it("is matched by session name and pane id in `S:@0.%0`", () => {
    const home = homeWith({ tmux: "ccl-pool-1:@0.%0" })
    expect(liveSessionId(home, { session: "ccl-pool-1", paneId: "%0" })).toBe(ID)
    expect(liveStatus(home, { session: "ccl-pool-1", paneId: "%0" })?.status).toBe("busy")
  })

  it("is not another server's pane with the same id, nor another pane", () => {
    const home = homeWith({ tmux: "ccl-pool-1:@0.%0" })
    expect(liveSessionId(home, { session: "ccl-pool-2", paneId: "%0" })).toBeUndefined()
    expect(liveSessionId(home, { session: "ccl-pool-1", paneId: "%1" })).toBeUndefined()
  })

  it("is matched by the agent's parent pid (the pane's shell) when the tmux field says nothing usable", () => {
    const home = homeWith({ tmux: null })
    expect(liveSessionId(home, { session: "x", paneId: "%5", panePid: process.ppid })).toBe(ID)
    expect(
      liveSessionId(home, { session: "x", paneId: "%5", panePid: process.ppid + 100_000 }),
    ).toBeUndefined()
  })

  it("the field forms", () => {
    const pane = { session: "ccl-1-conformvault", paneId: "%12" }
    expect(tmuxFieldMatches("ccl-1-conformvault:@3.%12", pane)).toBe(true)
    expect(tmuxFieldMatches("%12", pane)).toBe(true)
    expect(tmuxFieldMatches("ccl-1-conformvault:@3.%1", pane)).toBe(false)
    expect(tmuxFieldMatches("ccl-1:@3.%12", pane)).toBe(false)
    expect(tmuxFieldMatches(undefined, pane)).toBe(false)
  })
})
