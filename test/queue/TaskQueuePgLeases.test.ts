// The Postgres queue's own promises (RELIABILITY.md fault test 27): claims won once across nodes, leases that lapse
// with a dead node, stale fencing tokens, adoption after a restart, one daemon per node name, migrations at once.
import { expect, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Option, Schedule } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { MIGRATIONS } from "../../src/layers/TaskQueuePgSchema.js"
import { lapse, openPgQueue, takenBack, withSql } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { footer } from "./contract.js"

const open = openPgQueue

describePg("TaskQueuePg: nodes, leases and fencing", () => {
  it.live("two nodes racing for the same tasks: each task is claimed exactly once", () =>
    Effect.gen(function* () {
      const url = pgDatabase("race")
      const a = yield* open(url, "node-a")
      const b = yield* open(url, "node-b")
      const ids = Array.from({ length: 30 }, (_, i) => `t${i}`)
      for (const id of ids) yield* a.q.enqueue(id, `${id}\n`)
      const claimAll = (q: typeof a.q) => Effect.filter(ids, (id) => q.claim(id), { concurrency: 5 })
      const [wonA, wonB] = yield* Effect.all([claimAll(a.q), claimAll(b.q)], { concurrency: 2 })
      expect([...wonA, ...wonB].sort()).toEqual([...ids].sort())
      expect(wonA.filter((id) => wonB.includes(id))).toEqual([])
    }).pipe(Effect.scoped),
  )

  it.live("a lapsed claim comes back with node_lost counted; the lost node's completion is stale", () =>
    Effect.gen(function* () {
      const url = pgDatabase("lapse")
      const a = yield* open(url, "node-a")
      yield* a.q.enqueue("job", "Do the job\n")
      expect(yield* a.q.claim("job")).toBe(true)
      yield* lapse(url, "job")
      const b = yield* open(url, "node-b", { daemon: true })
      yield* b.q.recover
      expect(yield* takenBack(b.q, "job")).toBe("pending")
      const stale = yield* Effect.flip(a.q.complete("job", footer({ session: "a-1", text: "late" })))
      expect(stale._tag).toBe("TaskNotFound")
      expect(Option.getOrThrow(yield* b.q.locate("job"))).toBe("pending")
      expect(yield* b.q.claim("job")).toBe(true)
      yield* b.q.complete("job", footer({ session: "b-1", text: "done by b" }))
      const done = parseFooter(Option.getOrThrow(yield* b.q.get("job")).text)
      expect(done?.original).toBe("Do the job\n")
      expect(done?.footer).toMatchObject({ session: "b-1", text: "done by b" })
      expect(done?.footer.attempts).toMatch(/^1 node_lost \(node-a, /)
    }).pipe(Effect.scoped),
  )

  it.live("past its max_attempts a lapsed claim fails, with a node_lost footer", () =>
    Effect.gen(function* () {
      const url = pgDatabase("lapse_max")
      const a = yield* open(url, "node-a")
      yield* a.q.enqueue("once", "---\nmax_attempts: 1\n---\nx\n")
      yield* a.q.claim("once")
      yield* lapse(url, "once")
      const b = yield* open(url, "node-b", { daemon: true })
      yield* b.q.recover
      expect(yield* takenBack(b.q, "once")).toBe("failed")
      const failed = Option.getOrThrow(yield* b.q.get("once"))
      expect(failed.state).toBe("failed")
      expect(parseFooter(failed.text)?.footer).toMatchObject({ status: "failed", cause: "node_lost" })
    }).pipe(Effect.scoped),
  )

  it.live("a daemon restarted under the same node name adopts its claims and completes them", () =>
    Effect.gen(function* () {
      const url = pgDatabase("adopt")
      yield* Effect.scoped(
        Effect.gen(function* () {
          const first = yield* open(url, "node-a", { daemon: true })
          yield* first.q.enqueue("kept", "x\n")
          expect(yield* first.q.claim("kept")).toBe(true)
        }),
      )
      const again = yield* open(url, "node-a", { daemon: true })
      yield* again.q.recover
      expect((yield* again.q.list("active")).map((t) => t.id)).toEqual(["kept"])
      const other = yield* open(url, "node-b", { daemon: true })
      expect(yield* other.q.list("active")).toEqual([])
      expect(yield* other.q.release("kept")).toBe(false)
      yield* again.q.complete("kept", footer())
      expect(Option.getOrThrow(yield* again.q.locate("kept"))).toBe("done")
    }).pipe(Effect.scoped),
  )

  it.live("one daemon per node name: a second one is refused", () =>
    Effect.gen(function* () {
      const url = pgDatabase("node_taken")
      yield* open(url, "node-a", { daemon: true })
      const refused = yield* Effect.flip(open(url, "node-a", { daemon: true }))
      expect(refused._tag).toBe("NodeTaken")
      expect(refused.message).toContain('node "node-a"')
      yield* open(url, "node-b", { daemon: true })
    }).pipe(Effect.scoped),
  )

  it.live("five processes starting at once on a new database apply each migration once", () =>
    Effect.gen(function* () {
      const url = pgDatabase("migrate")
      yield* Effect.all(
        Array.from({ length: 5 }, (_, i) => open(url, `n${i}`)),
        { concurrency: 5 },
      )
      const versions = yield* withSql(
        url,
        (sql) => sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`,
      )
      expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version))
    }).pipe(Effect.scoped),
  )

  it.live("a task added on one node wakes the others (LISTEN/NOTIFY)", () =>
    Effect.gen(function* () {
      const url = pgDatabase("notify")
      const a = yield* open(url, "node-a", { daemon: true })
      const b = yield* open(url, "node-b")
      const woken = yield* Deferred.make<void>()
      yield* Effect.forkScoped(a.q.follow!(Deferred.succeed(woken, undefined)))
      // Added until one is heard: LISTEN may start after the first insert, and no sleep says when it has.
      let n = 0
      const adding = yield* Effect.forkScoped(
        Effect.repeat(
          Effect.suspend(() => b.q.enqueue(`new-${n++}`, "x\n")),
          Schedule.spaced(Duration.millis(200)),
        ),
      )
      yield* Deferred.await(woken)
      yield* Fiber.interrupt(adding)
    }).pipe(Effect.scoped),
  )

  it.live("every node sees the others with the tasks they hold and their sessions", () =>
    Effect.gen(function* () {
      const url = pgDatabase("nodes")
      const a = yield* open(url, "node-a", { daemon: true, leaseMs: 800 })
      const b = yield* open(url, "node-b", { daemon: true })
      yield* a.q.enqueue("held", "x\n")
      yield* a.q.claim("held")
      yield* a.nodes.report({
        sessions: [{ name: "ccl-pool-1", task: "held" }],
        accounts: ["main"],
        activeAccount: "main",
      })
      // The report is written at once; node-b's row comes with its first heartbeat (forked at open).
      const seen = yield* b.nodes.list.pipe(
        Effect.filterOrFail(
          (ns) =>
            ns.some((n) => n.name === "node-a" && n.sessions.length > 0) &&
            ns.some((n) => n.name === "node-b"),
        ),
        Effect.retry(Schedule.spaced(Duration.millis(100))),
      )
      const nodeA = seen.find((n) => n.name === "node-a")!
      expect(nodeA).toMatchObject({
        tasks: ["held"],
        accounts: ["main"],
        activeAccount: "main",
        pid: process.pid,
      })
      expect(nodeA.sessions).toEqual([{ name: "ccl-pool-1", task: "held" }])
      expect(seen.find((n) => n.name === "node-b")?.tasks).toEqual([])
    }).pipe(Effect.scoped),
  )

  it.live("a node silent for a week and holding nothing is forgotten at the next daemon's start", () =>
    Effect.gen(function* () {
      const url = pgDatabase("forget_nodes")
      yield* Effect.scoped(
        Effect.gen(function* () {
          for (const name of ["retired", "recent", "holder"]) {
            const n = yield* open(url, name, { daemon: true })
            yield* n.q.recover // its node row written
            if (name !== "holder") continue
            yield* n.q.enqueue("kept", "x\n")
            expect(yield* n.q.claim("kept")).toBe(true)
          }
        }),
      )
      // Days go by: two nodes silent for 8 days (one of them still holding its task), one for 6.
      yield* withSql(
        url,
        (sql) =>
          sql`UPDATE nodes SET heartbeat_at = now() - interval '8 days' WHERE name IN ('retired', 'holder')`,
      )
      yield* withSql(
        url,
        (sql) => sql`UPDATE nodes SET heartbeat_at = now() - interval '6 days' WHERE name = 'recent'`,
      )
      const next = yield* open(url, "next", { daemon: true })
      yield* next.q.recover
      expect((yield* next.nodes.list).map((n) => n.name).sort()).toEqual(["holder", "next", "recent"])
    }).pipe(Effect.scoped),
  )
})
