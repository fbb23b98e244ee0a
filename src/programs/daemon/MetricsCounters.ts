import { Effect, Metric, MetricBoundaries, MetricLabel, Queue } from "effect"
import { FailureCauses } from "../../domain/AttemptLog.js"
import type { EventEnvelope } from "../../domain/DaemonEvent.js"
import { HookEvents } from "../../domain/HookSettings.js"
import {
  FailoverReasons,
  failoverReason,
  failureCauseLabel,
  hookEventLabel,
} from "../../domain/MetricLabels.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"

/** Every metric of ccl starts so: Effect's registry is process-wide, a scrape shows only these. */
export const METRIC_PREFIX = "ccl_"

// Counters and the latency histogram, kept in Effect's metric registry from the daemon's event stream (counts
// since the daemon started, as Prometheus expects of a counter: it sees the restart as a reset).

export const tasksCompleted = Metric.counter("ccl_tasks_completed_total", {
  description: "Tasks filed in done/, by route, provider and account",
  incremental: true,
})
export const tasksFailed = Metric.counter("ccl_tasks_failed_total", {
  description: "Tasks filed in failed/ (after their last attempt, or final causes), by cause",
  incremental: true,
})
export const failovers = Metric.counter("ccl_failovers_total", {
  description: "Swaps of the sessions to another account (or the same one at its reset), by reason",
  incremental: true,
})
export const hookEvents = Metric.counter("ccl_hook_events_total", {
  description: "Claude Code hook events the daemon took in, by event",
  incremental: true,
})
/** From milliseconds (an idle pool takes a task at once) to hours (a backlog). */
export const dispatchLatency = Metric.histogram(
  "ccl_dispatch_latency_seconds",
  MetricBoundaries.fromIterable([
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200,
  ]),
  "Seconds from a task's arrival in pending/ (its file's mtime) to its first dispatch to a session",
)

/** One event into the counters. */
export const countEvent = ({ at, event }: EventEnvelope): Effect.Effect<void> => {
  switch (event.type) {
    case "task":
      if (event.state === "done")
        return Metric.increment(
          Metric.taggedWithLabels(tasksCompleted, [
            MetricLabel.make("route", event.route ?? "local"),
            MetricLabel.make("provider", event.provider ?? ""),
            MetricLabel.make("account", event.account ?? ""),
          ]),
        )
      if (event.state === "failed")
        return Metric.increment(Metric.tagged(tasksFailed, "cause", failureCauseLabel(event.cause)))
      // A retry waited for its backoff, not for the queue: only first dispatches are observed.
      if (event.state === "active" && event.queued_at !== undefined && (event.attempt ?? 1) === 1)
        return Metric.update(
          dispatchLatency,
          Math.max(0, Date.parse(at) - Date.parse(event.queued_at)) / 1000,
        )
      return Effect.void
    case "failover":
      return event.kind === "swapped"
        ? Metric.increment(Metric.tagged(failovers, "reason", failoverReason(event.reason)))
        : Effect.void
    case "hook":
      return Metric.increment(Metric.tagged(hookEvents, "event", hookEventLabel(event.event)))
    default:
      return Effect.void
  }
}

/** Series of the fixed label sets at 0 from the start, so that rate() and increase() see their first event. */
const zeroSeries = Effect.all(
  [
    ...FailureCauses.map((c) => Metric.value(Metric.tagged(tasksFailed, "cause", c))),
    ...FailoverReasons.map((r) => Metric.value(Metric.tagged(failovers, "reason", r))),
    ...HookEvents.map((e) => Metric.value(Metric.tagged(hookEvents, "event", e))),
    Metric.value(dispatchLatency),
  ],
  { discard: true },
)

/**
 * Counts the daemon's events from now on, until the scope closes: subscribed before it returns, so that run
 * before the daemon starts its sessions it misses none.
 */
export const countDaemonEvents = Effect.gen(function* () {
  const events = yield* DaemonEvents
  const dequeue = yield* events.subscribe
  yield* zeroSeries
  yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(dequeue), countEvent)))
})
