// Queued hook events (<state>/events.jsonl) replayed by the daemon: a file left set aside by an earlier replay is
// read again, bad lines and failing events do not stop the rest, and the read is bounded (issue 11, point 10).

import { existsSync, readdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import { replayEvents } from "../../src/programs/daemon/HookReplay.js"
import { tempDir } from "../support/tempDir.js"

const line = (event: string, session: string) =>
  JSON.stringify({ event, ccl_session: session, received_at: new Date().toISOString(), payload: {} })

describe("replayEvents", () => {
  it.live(
    "replays a set-aside file left by an earlier replay, then the current one, in order; removes both",
    () =>
      Effect.gen(function* () {
        const state = tempDir()
        writeFileSync(
          path.join(state, "events.jsonl.replaying-4242"),
          `${line("Stop", "left-over")}\nnot json\n`,
        )
        writeFileSync(path.join(state, "events.jsonl"), `${line("SessionStart", "current")}\n`)
        const seen: Array<string> = []
        const n = yield* replayEvents(state, (r: HookRecord) =>
          Effect.sync(() => void seen.push(`${r.event}:${r.ccl_session}`)),
        )
        expect(n).toBe(2)
        expect(seen).toEqual(["Stop:left-over", "SessionStart:current"])
        expect(readdirSync(state)).toEqual([])
      }),
  )

  it.live("an event whose handling fails is reported and the others still replay; the file is removed", () =>
    Effect.gen(function* () {
      const state = tempDir()
      writeFileSync(path.join(state, "events.jsonl"), `${line("Stop", "a")}\n${line("Stop", "b")}\n`)
      const seen: Array<string> = []
      yield* replayEvents(state, (r: HookRecord) =>
        r.ccl_session === "a"
          ? Effect.fail("disk full")
          : Effect.sync(() => void seen.push(r.ccl_session ?? "")),
      )
      expect(seen).toEqual(["b"])
      expect(existsSync(path.join(state, "events.jsonl"))).toBe(false)
      expect(readdirSync(state)).toEqual([])
    }),
  )

  it.live("a huge file: only its newest part (whole lines) is replayed", () =>
    Effect.gen(function* () {
      const state = tempDir()
      const lines = Array.from({ length: 200 }, (_, i) => line("Stop", `s${i}`))
      writeFileSync(path.join(state, "events.jsonl"), `${lines.join("\n")}\n`)
      const seen: Array<string> = []
      const max = lines.slice(-10).join("\n").length + 5
      yield* replayEvents(
        state,
        (r: HookRecord) => Effect.sync(() => void seen.push(r.ccl_session ?? "")),
        max,
      )
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `s${190 + i}`))
    }),
  )
})
