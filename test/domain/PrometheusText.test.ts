import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric, MetricBoundaries, MetricKey, MetricPair, MetricState } from "effect"
import { gaugeFamilies } from "../../src/domain/MetricGauges.js"
import { failoverReason, failureCauseLabel, hookEventLabel } from "../../src/domain/MetricLabels.js"
import { snapshotFamilies } from "../../src/domain/MetricSnapshotFamilies.js"
import { escapeLabelValue, histogramSamples, renderFamilies } from "../../src/domain/PrometheusText.js"
import { parseExposition } from "../support/prometheus.js"

describe("Prometheus text format 0.0.4", () => {
  it("escapes label values (backslash, quote, line feed) and HELP text (backslash, line feed)", () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd')
    const text = renderFamilies([
      {
        name: "x_total",
        help: 'one\\two\nthree "quoted"',
        type: "counter",
        samples: [{ labels: [["v", 'a\\b"c\nd']], value: 2 }],
      },
    ])
    expect(text).toBe(
      '# HELP x_total one\\\\two\\nthree "quoted"\n# TYPE x_total counter\nx_total{v="a\\\\b\\"c\\nd"} 2\n',
    )
    // Read back, the value is the original one.
    expect(parseExposition(text).value("x_total", { v: 'a\\b"c\nd' })).toBe(2)
  })

  it("one HELP and TYPE per name, families sorted, samples of a name together; special values spelled as Go", () => {
    const text = renderFamilies([
      { name: "b", help: "B", type: "gauge", samples: [{ labels: [["s", "1"]], value: Number.NaN }] },
      { name: "a", help: "A", type: "gauge", samples: [] },
      { name: "b", help: "B again", type: "gauge", samples: [{ labels: [["s", "2"]], value: Infinity }] },
    ])
    expect(text.split("\n")).toEqual([
      "# HELP a A",
      "# TYPE a gauge",
      "# HELP b B",
      "# TYPE b gauge",
      'b{s="1"} NaN',
      'b{s="2"} +Inf',
      "",
    ])
    expect(renderFamilies([])).toBe("")
  })

  it("a histogram: cumulative buckets, one +Inf bucket equal to the count, then _sum and _count", () => {
    const samples = histogramSamples(
      [],
      [
        [0.5, 1],
        [1, 3],
        [Infinity, 4],
      ],
      7.5,
      4,
    )
    const text = renderFamilies([{ name: "h_seconds", help: "H", type: "histogram", samples }])
    expect(text).toContain(
      'h_seconds_bucket{le="0.5"} 1\nh_seconds_bucket{le="1"} 3\nh_seconds_bucket{le="+Inf"} 4\n',
    )
    expect(text).toContain("h_seconds_sum 7.5\nh_seconds_count 4\n")
    expect(text.match(/le="\+Inf"/g)).toHaveLength(1)
  })
})

describe("Effect's metric snapshot as families", () => {
  it("counters by label set under one family; other prefixes left out", () => {
    const key = MetricKey.counter("ccl_t_total", { description: "T" })
    const pairs = [
      MetricPair.unsafeMake(MetricKey.tagged(key, "cause", "b"), MetricState.counter(2)),
      MetricPair.unsafeMake(MetricKey.tagged(key, "cause", "a"), MetricState.counter(1)),
      MetricPair.unsafeMake(MetricKey.counter("other_total"), MetricState.counter(9)),
    ]
    expect(snapshotFamilies(pairs, "ccl_")).toEqual([
      {
        name: "ccl_t_total",
        help: "T",
        type: "counter",
        samples: [
          { labels: [["cause", "a"]], value: 1 },
          { labels: [["cause", "b"]], value: 2 },
        ],
      },
    ])
  })

  it.effect("a histogram updated through Effect's Metric renders with the right cumulative buckets", () =>
    Effect.gen(function* () {
      const h = Metric.histogram("ccl_unit_hist_seconds", MetricBoundaries.fromIterable([1, 5]), "H")
      for (const v of [0.5, 2, 3, 10]) yield* Metric.update(h, v)
      const families = snapshotFamilies(yield* Metric.snapshot, "ccl_unit_hist")
      const parsed = parseExposition(renderFamilies(families))
      expect(parsed.types.get("ccl_unit_hist_seconds")).toBe("histogram")
      expect(parsed.value("ccl_unit_hist_seconds_bucket", { le: "1" })).toBe(1)
      expect(parsed.value("ccl_unit_hist_seconds_bucket", { le: "5" })).toBe(3)
      expect(parsed.value("ccl_unit_hist_seconds_bucket", { le: "+Inf" })).toBe(4)
      expect(parsed.value("ccl_unit_hist_seconds_sum")).toBe(15.5)
      expect(parsed.value("ccl_unit_hist_seconds_count")).toBe(4)
    }),
  )
})

describe("metric label values come from fixed sets", () => {
  it("failover reasons: the failover's own reason texts", () => {
    expect(failoverReason("usage limit on ccl-pool-1 (hook)")).toBe("limit")
    expect(failoverReason("main was cooling down at start (a stop before its swap)")).toBe("limit")
    expect(failoverReason("operator request")).toBe("operator")
    expect(failoverReason("the operator cleared the cooldown of main")).toBe("operator")
    expect(failoverReason("backup's usage limit reset")).toBe("reset")
    expect(failoverReason("quota: main five_hour at 96% (swap_at_percent 95)")).toBe("quota")
    expect(failoverReason('anything "else"\nat all')).toBe("other")
  })

  it("a failure cause or a hook event outside its set is other", () => {
    expect(failureCauseLabel("agent_error")).toBe("agent_error")
    expect(failureCauseLabel("made up")).toBe("other")
    expect(failureCauseLabel(undefined)).toBe("other")
    expect(hookEventLabel("Stop")).toBe("Stop")
    expect(hookEventLabel('Stop"} 1e9')).toBe("other")
  })
})

describe("scrape-time gauges", () => {
  it("tasks by folder, every session phase (0 included), cooldowns in Unix seconds, quotas as ratios", () => {
    const families = gaugeFamilies({
      tasks: { pending: 2, active: 1, done: 5, failed: 0, delegated: 1 },
      sessionPhases: ["working", "working", "ready"],
      accounts: ["main", "backup"],
      cooldowns: { main: "2030-01-01T00:00:00.000Z" },
      quotas: [{ account: "main", five_hour: { used_percentage: 42 }, seven_day: null }],
      delegation: undefined,
    })
    const parsed = parseExposition(renderFamilies(families))
    expect(parsed.value("ccl_tasks", { state: "done" })).toBe(5)
    expect(parsed.value("ccl_tasks", { state: "delegated" })).toBe(1)
    expect(parsed.value("ccl_sessions", { state: "working" })).toBe(2)
    expect(parsed.value("ccl_sessions", { state: "dead" })).toBe(0)
    expect(parsed.series("ccl_sessions")).toHaveLength(8)
    expect(parsed.value("ccl_account_cooldown_until_seconds", { account: "main" })).toBe(1_893_456_000)
    expect(parsed.value("ccl_account_cooldown_until_seconds", { account: "backup" })).toBe(0)
    expect(parsed.value("ccl_account_quota_used_ratio", { account: "main", window: "five_hour" })).toBe(0.42)
    expect(parsed.series("ccl_account_quota_used_ratio")).toHaveLength(1)
    // Delegation off: no family at all rather than zeros that would read as "idle".
    expect(parsed.types.has("ccl_delegation_jobs")).toBe(false)
  })
})
