// The daemon's event stream into /metrics' counters and histogram (MetricsCounters.ts), on the real DaemonEvents.
// Effect's metric registry is process-wide: each check is a difference from before the events.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricLabel } from "effect"
import {
  countDaemonEvents,
  dispatchLatency,
  failovers,
  hookEvents,
  tasksCompleted,
  tasksFailed,
} from "../../src/programs/daemon/MetricsCounters.js"
import { DaemonEvents, DaemonEventsLive } from "../../src/services/DaemonEvents.js"

const completedLocal = Metric.taggedWithLabels(tasksCompleted, [
  MetricLabel.make("route", "local"),
  MetricLabel.make("provider", "claude-code"),
  MetricLabel.make("account", "main"),
])

const readAll = Effect.all({
  completed: Effect.map(Metric.value(completedLocal), (s) => s.count),
  agentError: Effect.map(Metric.value(Metric.tagged(tasksFailed, "cause", "agent_error")), (s) => s.count),
  otherCause: Effect.map(Metric.value(Metric.tagged(tasksFailed, "cause", "other")), (s) => s.count),
  limit: Effect.map(Metric.value(Metric.tagged(failovers, "reason", "limit")), (s) => s.count),
  operator: Effect.map(Metric.value(Metric.tagged(failovers, "reason", "operator")), (s) => s.count),
  stop: Effect.map(Metric.value(Metric.tagged(hookEvents, "event", "Stop")), (s) => s.count),
  otherHook: Effect.map(Metric.value(Metric.tagged(hookEvents, "event", "other")), (s) => s.count),
  latency: Effect.map(Metric.value(dispatchLatency), (s) => ({ count: s.count, sum: s.sum })),
})

/** Lets the stamping and counting fibers run until `done` holds (no clock involved: TestClock stays at 0). */
const until = <A>(read: Effect.Effect<A>, done: (a: A) => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 10_000; i++) {
      const a = yield* read
      if (done(a)) return a
      yield* Effect.yieldNow()
    }
    return yield* read
  })

describe("metrics from the daemon's events", () => {
  it.scoped("completions, failures, first dispatches, swaps and hooks each move their own series", () =>
    Effect.gen(function* () {
      const before = yield* readAll
      const events = yield* DaemonEvents
      yield* countDaemonEvents
      const task = { type: "task", id: "t" } as const
      // TestClock: every event is stamped at 0, so a task queued 1.5 s before 0 waited 1.5 s.
      const queued_at = new Date(-1_500).toISOString()
      for (const e of [
        { ...task, state: "done", route: "local", provider: "claude-code", account: "main" },
        { ...task, state: "done", route: "local", provider: "claude-code", account: "main" },
        { ...task, state: "failed", cause: "agent_error" },
        { ...task, state: "failed", cause: "something new" },
        { ...task, state: "pending", cause: "agent_error" }, // given back: not a failed task
        { ...task, state: "active", attempt: 1, queued_at },
        { ...task, state: "active", attempt: 2, queued_at }, // a retry: its wait was the backoff
        { type: "failover", kind: "limit_hit", reason: "usage limit (hook)" },
        { type: "failover", kind: "swapped", reason: "usage limit on ccl-pool-1 (hook)" },
        { type: "failover", kind: "swapped", reason: "operator request" },
        { type: "failover", kind: "refused", reason: "operator request" },
        { type: "hook", event: "Stop", session: "ccl-pool-1" },
        { type: "hook", event: "NotAHook", session: "ccl-pool-1" },
      ] as const)
        yield* events.publish(e)
      const after = yield* until(readAll, (a) => a.otherHook === before.otherHook + 1)
      expect(after.completed - before.completed).toBe(2)
      expect(after.agentError - before.agentError).toBe(1)
      expect(after.otherCause - before.otherCause).toBe(1)
      expect(after.latency.count - before.latency.count).toBe(1)
      expect(after.latency.sum - before.latency.sum).toBeCloseTo(1.5)
      expect(after.limit - before.limit).toBe(1)
      expect(after.operator - before.operator).toBe(1)
      expect(after.stop - before.stop).toBe(1)
    }).pipe(Effect.provide(DaemonEventsLive)),
  )
})
