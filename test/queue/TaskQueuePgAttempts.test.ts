// Attempts on a shared queue: a failed attempt given back with its task is counted by whichever node runs it next,
// after the backoff; a lost node counts on from there; the footer tells every attempt once.
import { expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { AttemptEntry } from "../../src/domain/AttemptLog.js"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { lapse, openPgQueue, takenBack } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { footer } from "./contract.js"

const first: AttemptEntry = {
  n: 1,
  cause: "session_dead",
  session: "ccl-pool-1",
  at: "2026-12-02T10:00:00.000Z",
}

describePg("TaskQueuePg: attempts across nodes", () => {
  it.live("a failed attempt's count, log and backoff go with the task to the next node", () =>
    Effect.gen(function* () {
      const url = pgDatabase("attempts")
      const a = yield* openPgQueue(url, "node-a", { daemon: true })
      // node-b's lease is cut short below: no heartbeat of its own may renew it meanwhile (not a daemon).
      const b = yield* openPgQueue(url, "node-b")
      yield* a.q.enqueue("t", "x\n")
      expect((yield* b.q.listPending)[0]).not.toHaveProperty("attempts")
      yield* a.q.claim("t")
      const retryAt = Date.parse("2030-01-01T00:00:00.000Z")
      expect(yield* a.q.release("t", { attempt: 1, log: [first], retryAt })).toBe(true)
      const [seen] = yield* b.q.listPending
      expect(seen).toMatchObject({ id: "t", attempts: 1, retryAt })
      // The same log given back again (a node's whole log each time) is kept once.
      yield* b.q.claim("t")
      yield* b.q.release("t", { attempt: 1, log: [first], retryAt })
      yield* b.q.claim("t")
      yield* lapse(url, "t")
      const c = yield* openPgQueue(url, "node-c", { daemon: true })
      yield* c.q.recover
      expect(yield* takenBack(c.q, "t")).toBe("pending")
      const [again] = yield* c.q.listPending
      expect(again).toMatchObject({ id: "t", attempts: 2 })
      yield* c.q.claim("t")
      yield* c.q.complete("t", footer({ session: "c-1", attempt: 3 }))
      const done = parseFooter(Option.getOrThrow(yield* c.q.get("t")).text)!.footer
      expect(done.attempts).toMatch(/^1 session_dead \(ccl-pool-1, [^)]*\), 2 node_lost \(node-b, [^)]*\)$/)
    }).pipe(Effect.scoped),
  )

  it.live("a lost node's attempt that reaches max_attempts after other failures files the task failed", () =>
    Effect.gen(function* () {
      const url = pgDatabase("attempts_max")
      const a = yield* openPgQueue(url, "node-a") // no heartbeat to renew the lease cut short below
      yield* a.q.enqueue("t", "---\nmax_attempts: 2\n---\nx\n")
      yield* a.q.claim("t")
      yield* a.q.release("t", { attempt: 1, log: [first], retryAt: 0 })
      yield* a.q.claim("t")
      yield* lapse(url, "t")
      const b = yield* openPgQueue(url, "node-b", { daemon: true })
      yield* b.q.recover
      expect(yield* takenBack(b.q, "t")).toBe("failed")
      const failed = Option.getOrThrow(yield* b.q.get("t"))
      expect(failed.state).toBe("failed")
      expect(parseFooter(failed.text)?.footer).toMatchObject({ cause: "node_lost", attempt: 2 })
    }).pipe(Effect.scoped),
  )
})
