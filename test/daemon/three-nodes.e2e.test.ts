// Several machines, one queue (issue 16): three `ccl daemon` processes, each with its own tmux server, state folder
// and simulated-agent pool, on one Postgres database. 60 tasks are each typed once and filed in done once though
// one node dies mid-run (its claims come back at the lease's end and finish on the others); a daemon killed while
// its agents work and started again under the same node name adopts its sessions (same panes) and their tasks.

import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { type MultiDaemon, multiDaemon } from "../support/multiDaemon.js"
import { withSql } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { tempDir } from "../support/tempDir.js"

const TOKEN = "three-nodes-e2e"

/** The ids of the tasks held (state active) by `node`, read in the database. */
const heldBy = (url: string, node: string) =>
  withSql(
    url,
    (sql) =>
      sql<{ id: string }>`SELECT id FROM tasks WHERE state = 'active' AND holder = ${node} ORDER BY id`,
  ).pipe(Effect.map((rows) => rows.map((r) => r.id)))

/** How many tasks are done, read in the database: quick even on a loaded machine, unlike a CLI process. */
const doneCount = (url: string) =>
  withSql(url, (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM tasks WHERE state = 'done'`).pipe(
    Effect.map((rows) => rows[0]?.n ?? 0),
  )

/** How many times task `id` was typed into node `i`'s sessions (its agents' transcripts). */
const sentOn = (m: MultiDaemon, i: number, id: string) =>
  m.nodes[i]!.prompts().filter((t) => t.startsWith(`[ccl task ${id}:`)).length

/**
 * Node `i`'s pool sessions as its tmux server has them: session, pane id and the agent's pid, one per line (the
 * daemon's own `_ccl-control-*` holder session, which links the same panes, is its connection's, not a session).
 */
const panes = (m: MultiDaemon, i: number) =>
  m.nodes[i]!.server.tmux("list-panes", "-a", "-F", "#{session_name} #{pane_id} #{pane_pid}")
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("ccl-pool-"))
    .sort()

describePg("three nodes on one Postgres queue, one killed mid-run (real tmux, simulated agents)", () => {
  it.live(
    "60 tasks: each typed once and done once; the dead node's claims finish on the others after the lease",
    () =>
      Effect.gen(function* () {
        const url = pgDatabase("threenodes")
        const m = yield* Effect.promise(() =>
          multiDaemon({
            nodes: 3,
            queue: url,
            poolSize: 2,
            // n1's turns are long, so that it holds its claims nearly all the time and dies holding them while the
            // others still have most of the queue to run (its death must come mid-run, whatever the machine's load).
            workMs: 300,
            workMsOf: (i) => (i === 0 ? 4_000 : 300),
            token: TOKEN,
            // Short, so that the dead node's claims come back soon; long enough that a loaded machine's live
            // nodes never miss it (they beat four times per lease).
            yaml: ["queue_lease: 6s"],
          }),
        )
        const ids = Array.from({ length: 60 }, (_, i) => `job-${String(i + 1).padStart(2, "0")}`)
        const drop = path.join(tempDir("ccl-import-"), "tasks")
        mkdirSync(drop)
        for (const id of ids) writeFileSync(path.join(drop, `${id}.md`), `Do ${id}\n`)
        const imported = yield* Effect.promise(() => m.ccl(["queue", "import", drop]))
        expect(imported.code, imported.stderr).toBe(0)
        expect((yield* Effect.promise(() => m.tasks("pending"))).length).toBe(60)
        const [n1] = m.start()

        // n1 dies while it holds tasks, with others still to run. It is frozen (SIGSTOP) while its claims are read,
        // so that what it held is exactly what dies with it: a frozen node files nothing.
        const deadline = Date.now() + 180_000
        let lost: ReadonlyArray<string> = []
        while (lost.length === 0) {
          if (Date.now() > deadline) throw new Error(`n1 never held a task mid-run\n${m.log()}`)
          yield* Effect.sleep("200 millis")
          const done = yield* doneCount(url)
          if (done < 6) continue
          expect(done, "the run ended before n1 could be killed mid-run").toBeLessThan(50)
          process.kill(n1!.pid!, "SIGSTOP")
          const held = yield* heldBy(url, "n1")
          if (held.length === 0) {
            process.kill(n1!.pid!, "SIGCONT")
            continue
          }
          // The machine is gone: its daemon, its tmux server and the agents in it.
          yield* Effect.promise(() => m.crash(0))
          lost = held
        }

        yield* Effect.promise(() =>
          m.waitFor(
            async () => (await m.tasks("done")).length === ids.length,
            "all 60 tasks in done",
            240_000,
          ),
        )
        const listed = yield* Effect.promise(() => m.tasks())
        expect(listed.map((t) => `${t.state}:${t.id}`).sort()).toEqual(ids.map((id) => `done:${id}`))
        expect(yield* heldBy(url, "n1")).toEqual([])

        for (const id of ids) {
          const result = (yield* Effect.promise(() => m.show(id))).result
          const survivors = sentOn(m, 1, id) + sentOn(m, 2, id)
          expect(result?.status, id).toBe("completed")
          if (lost.includes(id)) {
            // Typed at most once on n1 before it died (a claim may die before its paste), then once on a survivor.
            expect(sentOn(m, 0, id), `${id} on n1\n${m.log()}`).toBeLessThanOrEqual(1)
            expect(survivors, `${id} on n2/n3\n${m.log()}`).toBe(1)
            expect(String(result?.attempts), id).toMatch(/node_lost \(n1, /)
          } else {
            expect(m.sentTimes(id), `${id}\n${m.log()}`).toBe(1)
            expect(result?.attempt, id).toBe(1)
            expect(String(result?.attempts ?? ""), id).not.toContain("node_lost")
          }
        }
        // No task was typed that is not one of these, and nothing ran twice on one node either.
        const typed = m.prompts().filter((t) => t.startsWith("[ccl task "))
        expect(typed.length).toBe(ids.length + lost.filter((id) => sentOn(m, 0, id) === 1).length)
        expect(yield* Effect.promise(() => Promise.all([m.stop(1), m.stop(2)]))).toEqual([0, 0])
      }),
    480_000,
  )
})

describePg("a node's daemon restarted under the same name (real tmux, simulated agents)", () => {
  it.live(
    "adopts its still-living sessions (same panes, same agents) and their tasks, each typed once and done once",
    () =>
      Effect.gen(function* () {
        const url = pgDatabase("restart")
        const m = yield* Effect.promise(() =>
          multiDaemon({
            nodes: 2,
            queue: url,
            poolSize: 2,
            // n1's turns outlast its restart by far; the default lease (2m) outlasts it too.
            workMs: 300,
            workMsOf: (i) => (i === 0 ? 20_000 : 300),
            token: TOKEN,
          }),
        )
        const ids = ["r1", "r2"]
        for (const id of ids) {
          const r = yield* Effect.promise(() => m.ccl(["queue", "add", "--text", `Keep ${id}`, "--id", id]))
          expect(r.code, r.stderr).toBe(0)
        }
        m.start(0)
        yield* Effect.promise(() =>
          m.waitFor(
            async () => ids.every((id) => m.sentTimes(id) === 1),
            "both tasks typed into n1's sessions",
          ),
        )
        const before = panes(m, 0)
        expect(before.length, before.join("\n")).toBe(2)

        // The daemon dies; its tmux server and the agents in it live on.
        yield* Effect.promise(() => m.stop(0, "SIGKILL"))
        expect(panes(m, 0)).toEqual(before)
        expect(yield* heldBy(url, "n1")).toEqual(ids)
        // A live peer meanwhile: it must leave n1's claims alone (their lease holds).
        m.start(1)
        const logFrom = m.nodes[0]!.log().length
        m.start(0)
        yield* Effect.promise(() =>
          m.waitFor(async () => {
            const done = (await m.tasks("done")).map((t) => t.id)
            return ids.every((id) => done.includes(id))
          }, "both tasks in done after n1's restart"),
        )
        // The same panes running the same agent processes: adopted, not recreated.
        expect(panes(m, 0), m.log()).toEqual(before)
        const restarted = m.nodes[0]!.log().slice(logFrom)
        for (const id of ids) expect(restarted).toMatch(new RegExp(`adopted session \\S+ \\(task ${id}\\)`))

        expect((yield* Effect.promise(() => m.tasks())).map((t) => `${t.state}:${t.id}`)).toEqual(
          ids.map((id) => `done:${id}`),
        )
        for (const id of ids) {
          expect(m.sentTimes(id), `${id}\n${m.log()}`).toBe(1)
          expect(sentOn(m, 0, id)).toBe(1)
          const result = (yield* Effect.promise(() => m.show(id))).result
          expect(result).toMatchObject({ status: "completed", attempt: 1 })
          expect(result?.attempts).toBeUndefined()
        }
        expect(yield* Effect.promise(() => m.stopAll())).toEqual([0, 0])
      }),
    240_000,
  )
})
