// One look at the queue_inbox (InboxImport.ts) on a real file queue: a file that may still be written is left for a
// later look (and the look asks for one), a file rejected twice under one name keeps both copies and reasons.
// The daemon watching the inbox end to end: inbox.e2e.test.ts.

import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, TestClock } from "effect"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { importInbox } from "../../src/programs/daemon/InboxImport.js"
import { DispatchControlLive } from "../../src/services/DispatchControl.js"
import { tempDir } from "../support/tempDir.js"

/** What one daemon's looks at its inbox remember between them. */
type Sightings = NonNullable<Parameters<typeof importInbox>[1]>

const setup = () => {
  const dir = tempDir()
  const inbox = path.join(dir, "inbox")
  mkdirSync(inbox)
  const layer = Layer.mergeAll(
    TaskQueueFs(path.join(dir, "queue")).pipe(Layer.provide(NodeFileSystem.layer)),
    NodeFileSystem.layer,
    DispatchControlLive,
  )
  /** A file in the inbox, last changed a minute ago (settled) or `at` (ms since epoch). */
  const drop = (name: string, text: string, at = Date.now() - 60_000) => {
    writeFileSync(path.join(inbox, name), text)
    utimesSync(path.join(inbox, name), at / 1000, at / 1000)
  }
  const look = (sightings?: Sightings) => importInbox(inbox, sightings).pipe(Effect.provide(layer))
  return { dir, inbox, drop, look, pending: () => readdirSync(path.join(dir, "queue", "pending")).sort() }
}

describe("importInbox", () => {
  it.effect("leaves a file that may still be written for a later look, and asks for one", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const s = setup()
      const sightings: Sightings = new Map()
      s.drop("settled.md", "Settled\n")
      // Changed "now" as far as the look can tell: a copy under way.
      s.drop("young.md", "Still being wri", Date.now())
      // Changed "later": the writer's clock is ahead of ours (a network folder).
      s.drop("skewed.md", "From a machine whose clock is ahead\n", Date.now() + 3_600_000)
      expect(yield* s.look(sightings)).toBeGreaterThan(0)
      expect(s.pending()).toEqual(["settled.md"])
      expect(readdirSync(s.inbox).sort()).toEqual(["skewed.md", "young.md"])
      // The copy goes on (the file changes): still left; the skewed one, unchanged for a while, is taken.
      yield* TestClock.adjust("2 seconds")
      s.drop("young.md", "Still being written\n", Date.now() + 2_000)
      expect(yield* s.look(sightings)).toBeGreaterThan(0)
      expect(s.pending()).toEqual(["settled.md", "skewed.md"])
      yield* TestClock.adjust("2 seconds")
      expect(yield* s.look(sightings)).toBeUndefined()
      expect(s.pending()).toEqual(["settled.md", "skewed.md", "young.md"])
      expect(readFileSync(path.join(s.dir, "queue", "pending", "young.md"), "utf8")).toBe(
        "Still being written\n",
      )
      expect(readdirSync(s.inbox)).toEqual([])
    }),
  )

  it.live("a name rejected twice: both files and both reasons kept in rejected/", () =>
    Effect.gen(function* () {
      const s = setup()
      s.drop("taken.md", "The first task\n")
      yield* s.look()
      s.drop("taken.md", "A second text\n")
      yield* s.look()
      s.drop("taken.md", "A third text\n")
      yield* s.look()
      const rejected = path.join(s.inbox, "rejected")
      expect(readdirSync(rejected).sort()).toEqual([
        "taken.1.md",
        "taken.1.md.reason",
        "taken.md",
        "taken.md.reason",
      ])
      expect(readFileSync(path.join(rejected, "taken.md"), "utf8")).toBe("A second text\n")
      expect(readFileSync(path.join(rejected, "taken.1.md"), "utf8")).toBe("A third text\n")
      expect(readFileSync(path.join(rejected, "taken.1.md.reason"), "utf8")).toMatch(
        /^task taken already exists in pending\/ with another text/,
      )
      expect(existsSync(path.join(s.inbox, "taken.md"))).toBe(false)
      expect(readFileSync(path.join(s.dir, "queue", "pending", "taken.md"), "utf8")).toBe("The first task\n")
    }),
  )
})
