// The state store's writer (issue 11, point 3): one writer, updates in order, a burst shares writes, a failed write
// is a typed error whose change the next write still carries, and an unreadable state folder is a typed error.

import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { writeFileDurablyAsync } from "../../src/layers/DurableFile.js"
import { makeStateStoreFile } from "../../src/layers/StateStoreFile.js"
import { tempDir } from "../support/tempDir.js"

const onDisk = (stateDir: string) => JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8"))

describe("StateStoreFile", () => {
  it.effect(
    "50 updates at once: all applied in order, on disk when each returns, in fewer writes than updates",
    () =>
      Effect.gen(function* () {
        const stateDir = path.join(tempDir(), "state")
        let writes = 0
        const store = yield* makeStateStoreFile(stateDir, (file, text) => {
          writes++
          return writeFileDurablyAsync(file, text, { mode: 0o600 })
        })
        const ids = Array.from({ length: 50 }, (_, i) => `t${i}`)
        yield* Effect.forEach(
          ids,
          (id, i) =>
            store
              .update((s) => ({ ...s, attempts: { ...s.attempts, [id]: i } }))
              .pipe(
                // When an update returns, a write that includes it is on disk.
                Effect.tap(() => Effect.sync(() => expect(onDisk(stateDir).attempts[id]).toBe(i))),
              ),
          { concurrency: "unbounded" },
        )
        expect(Object.keys(onDisk(stateDir).attempts)).toHaveLength(50)
        expect(writes).toBeGreaterThan(0)
        expect(writes).toBeLessThan(50)
      }),
  )

  it.effect(
    "a failed write is a StateFileError; the change stays in memory and the next write carries it",
    () =>
      Effect.gen(function* () {
        const stateDir = path.join(tempDir(), "state")
        let fail = true
        const store = yield* makeStateStoreFile(stateDir, (file, text) =>
          fail
            ? Promise.reject(new Error("ENOSPC: no space left on device"))
            : writeFileDurablyAsync(file, text),
        )
        const failed = yield* Effect.either(store.update((s) => ({ ...s, active_account: "backup" })))
        expect(Either.isLeft(failed) && failed.left).toMatchObject({
          _tag: "StateFileError",
          op: "write",
          message: expect.stringContaining("ENOSPC"),
        })
        expect(store.get().active_account).toBe("backup")
        fail = false
        yield* store.update((s) => ({ ...s, attempts: { a: 1 } }))
        expect(onDisk(stateDir)).toMatchObject({ active_account: "backup", attempts: { a: 1 } })
      }),
  )

  it.effect("a state folder that cannot be made is a StateFileError (read), not a crash", () =>
    Effect.gen(function* () {
      const root = tempDir()
      writeFileSync(path.join(root, "file"), "x")
      const opened = yield* Effect.either(makeStateStoreFile(path.join(root, "file", "state")))
      expect(Either.isLeft(opened) && opened.left).toMatchObject({ _tag: "StateFileError", op: "read" })
    }),
  )
})
