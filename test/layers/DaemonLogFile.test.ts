// The daemon's logger (DaemonLogFile): plain lines with the cause worded from its fields, rotated at a size.

import { existsSync, readFileSync, statSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect } from "effect"
import { DaemonLogFile } from "../../src/layers/DaemonLogFile.js"
import { TmuxError } from "../../src/services/TmuxPool.js"
import { testConfig } from "../support/settings.js"
import { tempDir } from "../support/tempDir.js"

const lines = (file: string) => readFileSync(file, "utf8").trimEnd().split("\n")

describe("DaemonLogFile", () => {
  it.live("rotates daemon.log at log.max_bytes, keeping log.keep old files, no line lost among them", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const log = path.join(root, "state", "daemon.log")
      yield* Effect.forEach(
        Array.from({ length: 60 }, (_, i) => i),
        (i) => Effect.logInfo(`event ${i}`),
      ).pipe(
        Effect.provide(DaemonLogFile),
        Effect.provide(testConfig(root, { log: { maxBytes: 300, keep: 2 } })),
      )
      expect(existsSync(`${log}.1`) && existsSync(`${log}.2`)).toBe(true)
      expect(existsSync(`${log}.3`)).toBe(false)
      for (const f of [log, `${log}.1`, `${log}.2`]) expect(statSync(f).size).toBeLessThanOrEqual(300)
      const kept = [...lines(`${log}.2`), ...lines(`${log}.1`), ...lines(log)].map((l) =>
        Number(/event (\d+)$/.exec(l)?.[1]),
      )
      expect(kept.at(-1)).toBe(59)
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 60 - kept.length + i))
      expect(statSync(log).mode & 0o777).toBe(0o600)
    }),
  )

  it.live("a failure is worded from its fields, never its bare tag", () =>
    Effect.gen(function* () {
      const root = tempDir()
      const error = new TmuxError({
        command: "tmux send-keys -t ccl-pool-1 Enter",
        exitCode: 1,
        stderr: "can't find pane: %3\n",
      })
      yield* Effect.logWarning("session ccl-pool-1: typing failed", Cause.fail(error)).pipe(
        Effect.provide(DaemonLogFile),
        Effect.provide(testConfig(root)),
      )
      const [l] = lines(path.join(root, "state", "daemon.log"))
      expect(l).toMatch(
        /^\d{4}-\d\d-\d\dT[\d:.]+Z WARN session ccl-pool-1: typing failed \| cause: tmux send-keys -t ccl-pool-1 Enter failed \(exit 1\): can't find pane: %3$/,
      )
    }),
  )
})
