import type { SqlClient } from "@effect/sql/SqlClient"
import { Effect } from "effect"

// The Postgres queue's schema, as numbered migrations applied at every start (daemon and CLI). Applied versions are
// kept in schema_migrations; one transaction under a transaction-scoped advisory lock makes several daemons starting
// at once apply each migration exactly once (the others wait, then find it done). Never edit a released migration:
// add the next one.

/** The advisory lock key of migrations (any constant shared by every ccl; "ccl-migrate" in ASCII). */
export const MIGRATION_LOCK = 0x63636c6d6967

export const MIGRATIONS: ReadonlyArray<{
  readonly version: number
  readonly statements: ReadonlyArray<string>
}> = [
  {
    version: 1,
    statements: [
      `CREATE SEQUENCE IF NOT EXISTS ccl_fence_seq`,
      `CREATE TABLE tasks (
          id text PRIMARY KEY,
          state text NOT NULL CHECK (state IN ('pending', 'active', 'done', 'failed')),
          -- The task as written (earlier runs' footers as history); done/failed rows add their footer on read.
          text text NOT NULL,
          priority integer NOT NULL DEFAULT 0,
          seq bigserial NOT NULL,
          enqueued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
          depends_on jsonb NOT NULL DEFAULT '[]',
          holder text,
          lease_until timestamptz,
          -- The fencing token of the current claim: a completion must bring it.
          fence bigint NOT NULL DEFAULT 0,
          attempts integer NOT NULL DEFAULT 0,
          attempt_log jsonb NOT NULL DEFAULT '[]',
          delegation jsonb,
          delegation_corrupt jsonb,
          footer jsonb
        )`,
      `CREATE INDEX tasks_pending_order ON tasks (priority DESC, enqueued_at, id) WHERE state = 'pending'`,
      `CREATE INDEX tasks_held ON tasks (holder, lease_until) WHERE state = 'active'`,
      `CREATE UNIQUE INDEX tasks_idempotency_key ON tasks ((delegation->>'idempotency_key'))
          WHERE delegation IS NOT NULL`,
      `CREATE TABLE nodes (
          name text PRIMARY KEY,
          pid integer NOT NULL,
          started_at timestamptz NOT NULL,
          heartbeat_at timestamptz NOT NULL,
          sessions jsonb NOT NULL DEFAULT '[]',
          accounts jsonb NOT NULL DEFAULT '[]'
        )`,
    ],
  },
  {
    version: 2,
    // A failed attempt's backoff, kept with the task: any node holds it back until then.
    statements: [`ALTER TABLE tasks ADD COLUMN not_before timestamptz`],
  },
  {
    version: 3,
    // The recent results (the dashboard's, on every refresh) without a scan of every finished row.
    statements: [
      `CREATE INDEX tasks_finished ON tasks (updated_at DESC, id) WHERE state IN ('done', 'failed')`,
    ],
  },
]

/** Applies the migrations not applied yet; returns their versions. Safe to run from many processes at once. */
export const migrate = (sql: SqlClient) =>
  sql
    .withTransaction(
      Effect.gen(function* () {
        yield* sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`
        yield* sql`CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`
        const rows = yield* sql<{ version: number }>`SELECT version FROM schema_migrations`
        const done = new Set(rows.map((r) => r.version))
        const applied: Array<number> = []
        for (const m of MIGRATIONS) {
          if (done.has(m.version)) continue
          for (const statement of m.statements) yield* sql.unsafe(statement)
          yield* sql`INSERT INTO schema_migrations (version) VALUES (${m.version})`
          applied.push(m.version)
        }
        return applied
      }),
    )
    .pipe(Effect.withSpan("TaskQueuePg.migrate"))
