// The daemon's side of the hook spool (issue 12): files in <state>/hooks/new/ handed over in name order and
// deleted, unreadable ones set aside in bad/ (bounded) without stopping the rest, a failed hand-over kept for the
// next pass, and fs.watch waking the daemon as a file lands.

import { existsSync, readdirSync, renameSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import type { HookRecord } from "../../src/domain/HookRecord.js"
import {
  BAD_KEPT,
  makeSpoolDirs,
  makeSpoolDrain,
  spoolDirs,
  sweepSpoolTmp,
} from "../../src/programs/daemon/HookSpoolDrain.js"
import { watchSpool } from "../../src/programs/daemon/HookSpoolWatch.js"
import { tempDir } from "../support/tempDir.js"

let seq = 0
/** A spool file as the hook command writes it: tmp/ then a rename into new/. */
const drop = (state: string, event: string, session: string, payload: string, at = Date.now()) => {
  const name = `${String(at).padStart(13, "0")}${String(++seq).padStart(6, "0")}-${process.pid}-0a1b2c3d.json`
  writeFileSync(path.join(spoolDirs(state).tmp, name), `ccl-hook/1 ${event} ${session}\n${payload}`)
  renameSync(path.join(spoolDirs(state).tmp, name), path.join(spoolDirs(state).fresh, name))
  return name
}
const ls = (dir: string) => (existsSync(dir) ? readdirSync(dir).sort() : [])

const setup = () => {
  const state = tempDir()
  makeSpoolDirs(state)
  const seen: Array<string> = []
  const record = (r: HookRecord) => Effect.sync(() => void seen.push(`${r.event}:${r.ccl_session}`))
  return { state, seen, record, dirs: spoolDirs(state) }
}

describe("makeSpoolDrain", () => {
  it.effect(
    "hands the files over in name order and deletes them; garbage goes to bad/ and the rest go on",
    () =>
      Effect.gen(function* () {
        const { state, seen, record, dirs } = setup()
        drop(state, "SessionStart", "s1", '{"session_id":"abc","source":"startup"}', 1_000)
        writeFileSync(path.join(dirs.fresh, "1000000000000000000-1-ff.json"), "\u0000\u0001 garbage")
        drop(state, "Stop", "s1", '{"session_id": 42}', 2_000) // a field of the wrong type: not a record
        writeFileSync(path.join(dirs.fresh, "notes.txt"), "not the hook command's")
        drop(state, "Stop", "s1", '{"prompt_id":"p1"}', 3_000)
        drop(state, "Notification", "s2", "not json", 4_000)
        const n = yield* makeSpoolDrain(state, record)
        expect(n).toBe(3)
        expect(seen).toEqual(["SessionStart:s1", "Stop:s1", "Notification:s2"])
        expect(ls(dirs.fresh)).toEqual([])
        const bad = ls(dirs.bad)
        expect(bad).toHaveLength(3)
        expect(bad.some((b) => b.endsWith("-notes.txt"))).toBe(true)
        expect(yield* makeSpoolDrain(state, record)).toBe(0) // each handed over once
      }),
  )

  it.effect("a failed hand-over keeps the file and stops the pass (order); the next pass retries it", () =>
    Effect.gen(function* () {
      const { state, seen, dirs } = setup()
      const first = drop(state, "Stop", "a", "{}", 1_000)
      drop(state, "Stop", "b", "{}", 2_000)
      let failing = true
      const drain = makeSpoolDrain(state, (r: HookRecord) =>
        failing && r.ccl_session === "a"
          ? Effect.fail("disk full")
          : Effect.sync(() => void seen.push(r.ccl_session!)),
      )
      expect(yield* drain).toBe(0)
      expect(yield* drain).toBe(0)
      expect(ls(dirs.fresh)).toHaveLength(2)
      expect(ls(dirs.fresh)[0]).toBe(first)
      failing = false
      expect(yield* drain).toBe(2)
      expect(seen).toEqual(["a", "b"])
      expect(ls(dirs.fresh)).toEqual([])
    }),
  )

  it.effect(`bad/ keeps the newest ${BAD_KEPT}`, () =>
    Effect.gen(function* () {
      const { state, record, dirs } = setup()
      for (let i = 0; i < BAD_KEPT + 5; i++) writeFileSync(path.join(dirs.fresh, `junk-${i}`), "x")
      yield* makeSpoolDrain(state, record)
      expect(ls(dirs.bad)).toHaveLength(BAD_KEPT)
      expect(ls(dirs.fresh)).toEqual([])
    }),
  )

  it("sweepSpoolTmp removes what a killed hook left in tmp/ an hour ago, not a file being written", () => {
    const { state, dirs } = setup()
    writeFileSync(path.join(dirs.tmp, "old"), "x")
    writeFileSync(path.join(dirs.tmp, "new"), "x")
    const hourAgo = (Date.now() - 61 * 60 * 1000) / 1000
    utimesSync(path.join(dirs.tmp, "old"), hourAgo, hourAgo)
    sweepSpoolTmp(state, Date.now())
    expect(ls(dirs.tmp)).toEqual(["new"])
  })
})

describe("watchSpool", () => {
  it.live("a file renamed into new/ is handed over at once (the poll set to an hour: the watch did it)", () =>
    Effect.gen(function* () {
      const { state, seen, record, dirs } = setup()
      const fiber = yield* Effect.fork(watchSpool(state, makeSpoolDrain(state, record), "1 hour"))
      yield* Effect.sleep("100 millis")
      drop(state, "Stop", "s1", "{}")
      for (let i = 0; i < 100 && seen.length === 0; i++) yield* Effect.sleep("20 millis")
      expect(seen).toEqual(["Stop:s1"])
      expect(ls(dirs.fresh)).toEqual([])
      yield* Fiber.interrupt(fiber)
    }),
  )

  it.live("the poll alone picks up a file when the folder cannot be watched", () =>
    Effect.gen(function* () {
      const { state, seen, record } = setup()
      const unwatched = tempDir() // no spool there: the watch fails, the drain reads `state`
      const fiber = yield* Effect.fork(watchSpool(unwatched, makeSpoolDrain(state, record), "50 millis"))
      drop(state, "Stop", "s1", "{}")
      for (let i = 0; i < 100 && seen.length === 0; i++) yield* Effect.sleep("20 millis")
      expect(seen).toEqual(["Stop:s1"])
      yield* Fiber.interrupt(fiber)
    }),
  )
})
