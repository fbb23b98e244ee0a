// Several machines, one queue (issue 16): two `ccl daemon` nodes on the test run's private Postgres server, each
// with its own tmux server, state and simulated-agent pool, sharing one inbox. Every task, added by the CLI or
// dropped in the inbox, runs once and ends in done once, whichever node took it.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { multiDaemon } from "../support/multiDaemon.js"
import { describePg, pgDatabase } from "../support/pgTest.js"

const TOKEN = "multi-node-e2e"

describePg("two nodes on one Postgres queue (real tmux, simulated agent)", () => {
  describe("tasks added by the CLI and dropped in the shared inbox", () => {
    it.live(
      "each runs once and ends in done once",
      () =>
        Effect.gen(function* () {
          const m = yield* Effect.promise(() =>
            multiDaemon({
              nodes: 2,
              queue: pgDatabase("multinode"),
              poolSize: 1,
              workMs: 300,
              token: TOKEN,
              inbox: true,
            }),
          )
          const added = ["a1", "a2", "a3"]
          const dropped = ["d1", "d2", "d3"]
          for (const id of added) {
            const r = yield* Effect.promise(() => m.ccl(["queue", "add", "--text", `Task ${id}`, "--id", id]))
            expect(r.code, r.stderr).toBe(0)
          }
          m.start()
          for (const id of dropped) writeFileSync(path.join(m.inbox!, `${id}.md`), `Dropped task ${id}\n`)
          const all = [...added, ...dropped]
          yield* Effect.promise(() =>
            m.waitFor(async () => {
              const done = (await m.tasks("done")).map((t) => t.id)
              return all.every((id) => done.includes(id))
            }, "every task in done"),
          )
          const listed = yield* Effect.promise(() => m.tasks())
          expect(listed.map((t) => `${t.state}:${t.id}`).sort()).toEqual(all.map((id) => `done:${id}`).sort())
          for (const id of all) {
            expect(m.sentTimes(id), m.log()).toBe(1)
            const shown = yield* Effect.promise(() => m.show(id))
            expect(shown.result).toMatchObject({ status: "completed", attempt: 1 })
          }
          yield* Effect.promise(() => m.stopAll())
        }),
      180_000,
    )
  })
})
