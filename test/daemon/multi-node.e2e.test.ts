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

describePg("a node that dies mid-task (real tmux, simulated agent)", () => {
  it.live(
    "its task comes back at the lease's end, another node runs it, and it is done once",
    () =>
      Effect.gen(function* () {
        const m = yield* Effect.promise(() =>
          multiDaemon({
            nodes: 2,
            queue: pgDatabase("nodeloss"),
            poolSize: 1,
            // n1 never finishes on its own: it is killed while the task runs.
            workMs: 300,
            workMsOf: (i) => (i === 0 ? 600_000 : 300),
            token: TOKEN,
            yaml: ["queue_lease: 3s"],
          }),
        )
        const r = yield* Effect.promise(() =>
          m.ccl(["queue", "add", "--text", "Survive a lost node", "--id", "t1"]),
        )
        expect(r.code, r.stderr).toBe(0)
        m.start(0)
        yield* Effect.promise(() =>
          m.waitFor(async () => m.sentTimes("t1") === 1, "t1 typed into n1's session"),
        )
        expect((yield* Effect.promise(() => m.tasks("active"))).map((t) => t.id)).toEqual(["t1"])
        yield* Effect.promise(() => m.crash(0))
        m.start(1)
        yield* Effect.promise(() =>
          m.waitFor(async () => (await m.tasks("done")).some((t) => t.id === "t1"), "t1 in done"),
        )
        // n1's run died with it; n2's is the one filed, once.
        expect((yield* Effect.promise(() => m.tasks())).map((t) => `${t.state}:${t.id}`)).toEqual(["done:t1"])
        expect(m.nodes[1]!.prompts().filter((t) => t.startsWith("[ccl task t1:"))).toHaveLength(1)
        expect((yield* Effect.promise(() => m.show("t1"))).result).toMatchObject({ status: "completed" })
        yield* Effect.promise(() => m.stopAll())
      }),
    180_000,
  )
})
