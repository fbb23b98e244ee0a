// One claimer of bench/pgClaims.ts as a process of its own: `node dist/bench-pg-claimer.mjs URL NODE` connects
// (its own pool), prints "ready", waits for a line on stdin, claims and files until the queue is empty, then
// prints its outcome as JSON (with the CPU time it used) and exits.

import { createInterface } from "node:readline"
import { Effect } from "effect"
import { claimer, queueOn } from "./pgClaims.js"

const [url, node] = process.argv.slice(2)
if (url === undefined || node === undefined) {
  console.error("usage: bench-pg-claimer URL NODE")
  process.exit(2)
}

const main = Effect.gen(function* () {
  const queue = yield* queueOn(url, node)
  // A first query, so that the pool's connection is open before the clock starts.
  yield* queue.counts
  process.stdout.write("ready\n")
  yield* Effect.promise(() => createInterface({ input: process.stdin })[Symbol.asyncIterator]().next())
  const cpu = process.cpuUsage()
  const outcome = yield* claimer(queue)
  const used = process.cpuUsage(cpu)
  process.stdout.write(`${JSON.stringify({ ...outcome, cpuMs: (used.user + used.system) / 1000 })}\n`)
}).pipe(Effect.scoped)

Effect.runPromise(main).then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  },
)
