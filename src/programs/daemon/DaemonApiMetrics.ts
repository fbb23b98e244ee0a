import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect, Metric, Option } from "effect"
import { failureText } from "../../domain/FailureText.js"
import { gaugeFamilies } from "../../domain/MetricGauges.js"
import { snapshotFamilies } from "../../domain/MetricSnapshotFamilies.js"
import { renderFamilies } from "../../domain/PrometheusText.js"
import type { SessionTable } from "../../domain/SessionTable.js"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import type { FailoverHandler } from "./DaemonApiHandlers.js"
import { DaemonApi } from "./DaemonApiSpec.js"
import { METRIC_PREFIX } from "./MetricsCounters.js"

/**
 * `GET /metrics`: the gauges read now (queue, sessions, cooldowns, quotas, delegation) and the counters the daemon
 * keeps from its events (MetricsCounters.ts), as Prometheus text. A source that cannot be read (the queue's
 * folders) leaves its family out and is logged: the rest of the scrape still comes.
 */
export const metricsApiHandlers = (table: SessionTable, failover: FailoverHandler) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    // Optional: the quota intake and delegation may not run in this daemon; their families are left out then.
    const quotas = yield* Effect.serviceOption(AccountQuotas)
    const delegation = yield* Effect.serviceOption(Delegation)
    const unread = (what: string) => (e: unknown) =>
      Effect.as(Effect.logWarning(`/metrics: ${what} not read: ${failureText(e)}`), undefined)

    const scrape = Effect.gen(function* () {
      const readings = yield* Effect.all({
        tasks: Effect.map(queue.counts, (c) => ({ ...c })).pipe(Effect.catchAll(unread("queue counts"))),
        cooldowns: Effect.map(failover.status, (s) => s?.cooldowns),
        delegation: Option.match(delegation, {
          onNone: () => Effect.succeed(undefined),
          onSome: (d) =>
            Effect.map(d.status, (s) => ({ ...s.counters })).pipe(Effect.catchAll(unread("delegation"))),
        }),
      })
      const gauges = gaugeFamilies({
        ...readings,
        sessionPhases: table.all().map((r) => r.phase),
        accounts: settings.accounts.map((a) => a.name),
        quotas: Option.getOrUndefined(Option.map(quotas, (q) => q.all())),
      })
      return renderFamilies([...gauges, ...snapshotFamilies(yield* Metric.snapshot, METRIC_PREFIX)])
    })

    return HttpApiBuilder.group(DaemonApi, "metrics", (handlers) => handlers.handle("metrics", () => scrape))
  })
