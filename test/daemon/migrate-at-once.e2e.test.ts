// Several machines, one queue (issue 16): ten `ccl daemon` processes (each its own tmux server, state folder and
// simulated agent) starting at once on a new database apply each migration once. Processes that start one after the
// other on a loaded machine rarely overlap (a migration takes milliseconds), so the test makes them overlap: it holds
// the migration lock while the ten start, sees all ten waiting on it (none went ahead), then lets them all go at
// once. Each migration applied once: every daemon comes up and heartbeats, none fails, schema_migrations holds
// each version once, and the schema works.

import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { MIGRATION_LOCK, MIGRATIONS } from "../../src/layers/TaskQueuePgSchema.js"
import { multiDaemon } from "../support/multiDaemon.js"
import { withSql } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"

const NODES = 10

describePg("ten daemons starting at once on a new Postgres database", () => {
  it.live(
    "apply each migration once: all ten wait on the migration lock, then every daemon comes up, none fails",
    () =>
      Effect.gen(function* () {
        const url = pgDatabase("migrateatonce")
        const m = yield* Effect.promise(() =>
          multiDaemon({ nodes: NODES, queue: url, poolSize: 1, workMs: 300, token: "migrate-at-once-e2e" }),
        )
        const table = (name: string) =>
          withSql(
            url,
            (sql) => sql<{ t: string | null }>`SELECT to_regclass(${`public.${name}`})::text AS t`,
          ).pipe(Effect.map((rows) => rows[0]?.t != null))
        // Setting the nodes up (accounts, hooks) never opened the queue: the database is still empty.
        expect(yield* table("schema_migrations")).toBe(false)
        /** Sessions waiting for the migration lock (pg_locks shows a bigint key as classid:objid). */
        const waiting = withSql(
          url,
          (sql) => sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'
            AND NOT granted AND objsubid = 1 AND classid::bigint * 4294967296 + objid::bigint = ${MIGRATION_LOCK}
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        ).pipe(Effect.map((rows) => rows[0]?.n ?? 0))

        const children = m.start()
        const exited = () =>
          children.flatMap((c, i) => (c.exitCode === null && c.signalCode === null ? [] : [i]))
        const noneExited = () => {
          const dead = exited()
          if (dead.length > 0)
            throw new Error(`daemon(s) ${dead.map((i) => `n${i + 1}`).join(", ")} exited\n${m.log()}`)
        }
        yield* withSql(url, (sql) =>
          Effect.scoped(
            Effect.gen(function* () {
              const gate = yield* sql.reserve
              yield* gate.execute(`SELECT pg_advisory_lock(${MIGRATION_LOCK})`, [], undefined)
              yield* Effect.promise(() =>
                m.waitFor(
                  async () => {
                    noneExited()
                    if (await Effect.runPromise(table("tasks")))
                      throw new Error(`a daemon migrated without waiting for the migration lock\n${m.log()}`)
                    return (await Effect.runPromise(waiting)) === NODES
                  },
                  `all ${NODES} daemons waiting on the migration lock`,
                  240_000,
                ),
              )
              yield* gate.execute(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`, [], undefined)
            }),
          ),
        )

        const heartbeats = withSql(
          url,
          (sql) => sql<{ name: string; pid: number }>`SELECT name, pid FROM nodes`,
        )
        yield* Effect.promise(() =>
          m.waitFor(
            async () => {
              noneExited()
              // The first migration may not have committed yet: no nodes table, no heartbeat.
              return (await Effect.runPromise(Effect.orElseSucceed(heartbeats, () => []))).length === NODES
            },
            `all ${NODES} nodes heartbeating`,
            240_000,
          ),
        )
        // Each node's row is its own daemon's (the pid it wrote), and every daemon still runs.
        const rows = yield* heartbeats
        expect(rows.map((r) => `${r.name}:${r.pid}`).sort()).toEqual(
          children.map((c, i) => `n${i + 1}:${c.pid}`).sort(),
        )
        expect(exited()).toEqual([])
        const versions = yield* withSql(
          url,
          (sql) => sql<{ version: number }>`SELECT version FROM schema_migrations ORDER BY version`,
        )
        expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((x) => x.version))
        expect(m.log()).not.toMatch(/already exists|duplicate key/i)

        // The schema they made works for all of them: a task added is run by one of them, once.
        const r = yield* Effect.promise(() =>
          m.ccl(["queue", "add", "--text", "After the rush", "--id", "m1"]),
        )
        expect(r.code, r.stderr).toBe(0)
        yield* Effect.promise(() =>
          m.waitFor(async () => (await m.tasks("done")).some((t) => t.id === "m1"), "m1 in done", 120_000),
        )
        expect(m.sentTimes("m1")).toBe(1)
        expect(yield* Effect.promise(() => m.stopAll())).toEqual(Array.from({ length: NODES }, () => 0))
      }),
    480_000,
  )
})
