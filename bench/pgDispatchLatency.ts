// Dispatch latency through Postgres: bench/dispatchLatency.ts's measurement (8 sim agents, 200 tasks one every
// 400 ms, then the growth run), with the daemon's `queue:` a database on a private server (bench/pgServer.ts). A task
// is added as `ccl queue add` adds it (TaskQueuePg's enqueue: one INSERT that NOTIFYs the daemons), without the CLI's
// process start. A trigger of the bench's own records each claim's instant, which splits the latency in two: added ->
// claimed (the NOTIFY, the daemon's wake-up, its listPending and the claim) and claimed -> the prompt in the session.

import { Context, Effect, Exit, Layer, Scope } from "effect"
import { TaskQueuePg } from "../src/layers/TaskQueuePg.js"
import { TaskQueue } from "../src/services/TaskQueue.js"
import { freshDatabase } from "../test/support/postgres.js"
import {
  GAP_MS,
  LARGE,
  LARGE_GAP_MS,
  latencyFigures,
  measure,
  SESSIONS,
  type TaskFeed,
} from "./dispatchLatency.js"
import { psql, withPgServer } from "./pgServer.js"
import { median, percentile, round } from "./stats.js"
import type { BenchResult } from "./types.js"

const CLAIM_TRIGGER = `
  CREATE TABLE bench_claims (id text PRIMARY KEY, at timestamptz NOT NULL);
  CREATE FUNCTION bench_claimed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN INSERT INTO bench_claims VALUES (NEW.id, clock_timestamp()) ON CONFLICT DO NOTHING; RETURN NEW; END $$;
  CREATE TRIGGER bench_claimed AFTER UPDATE OF state ON tasks FOR EACH ROW
    WHEN (OLD.state = 'pending' AND NEW.state = 'active') EXECUTE FUNCTION bench_claimed();`

/** One run on a fresh database: the latencies, and the split at the claim. */
const run = async (serverUrl: string, tasks: number, gapMs: number) => {
  const url = freshDatabase(serverUrl, `bench_dispatch_${tasks}`)
  const scope = Effect.runSync(Scope.make())
  try {
    // The adder's own connection (it migrates the database first, as any ccl does).
    const layer = TaskQueuePg({ url, node: "bench-adder", leaseMs: 120_000, maxAttempts: 3 })
    const queue = Context.get(await Effect.runPromise(Layer.buildWithScope(layer, scope)), TaskQueue)
    psql(url, CLAIM_TRIGGER)
    const insertMs: Array<number> = []
    const feed: TaskFeed = {
      queue: url,
      add: async (_queue, id, text) => {
        const at = Date.now()
        await Effect.runPromise(queue.enqueue(id, text))
        insertMs.push(Date.now() - at)
        return at
      },
    }
    const r = await measure(tasks, gapMs, feed)
    const claimedAt = new Map(
      psql(url, "SELECT id, (extract(epoch FROM at) * 1000)::bigint FROM bench_claims")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => [l.split(" ")[0]!, Number(l.split(" ")[1])] as const),
    )
    const ids = [...r.addedAt.keys()].filter((id) => r.landedAt.has(id) && claimedAt.has(id))
    const toClaim = ids.map((id) => claimedAt.get(id)! - r.addedAt.get(id)!)
    const toPrompt = ids.map((id) => r.landedAt.get(id)! - claimedAt.get(id)!)
    return {
      ...r,
      insertMs: median(insertMs),
      toClaim: [percentile(toClaim, 50), percentile(toClaim, 99)] as const,
      toPrompt: [percentile(toPrompt, 50), percentile(toPrompt, 99)] as const,
    }
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

export const pgDispatchLatency = async (): Promise<BenchResult> =>
  withPgServer("pg-dispatch-latency", async (serverUrl) => {
    const small = await run(serverUrl, 200, GAP_MS)
    const large = await run(serverUrl, LARGE, LARGE_GAP_MS)
    return {
      name: "pg-dispatch-latency",
      figures: {
        ...latencyFigures(small, large),
        added_to_claimed_p50_200_ms: round(small.toClaim[0]),
        added_to_claimed_p99_200_ms: round(small.toClaim[1]),
        claimed_to_prompt_p50_200_ms: round(small.toPrompt[0]),
        claimed_to_prompt_p99_200_ms: round(small.toPrompt[1]),
        insert_median_ms: round(small.insertMs),
      },
      budget: "the file queue's: p50 <= 20 ms, p99 <= 100 ms (8 sessions, 200 tasks)",
      withinBudget: small.landed === 200 && small.p50 <= 20 && small.p99 <= 100,
      note: `dispatch-latency's runs (200 tasks one every ${GAP_MS} ms, then ${LARGE} one every ${LARGE_GAP_MS} ms, ${SESSIONS} sim agents, work 0) on a Postgres queue (private server, one daemon); latency counted from the start of the INSERT`,
    }
  })
