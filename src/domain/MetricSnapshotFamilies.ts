import { type MetricPair, MetricState, Option } from "effect"
import { type Family, histogramSamples, type Sample } from "./PrometheusText.js"

// Effect's own metrics (Metric.snapshot: counters and histograms the daemon keeps from its events) as Prometheus
// families. Effect keys each label set apart; a family is every key of one name.

/**
 * The families of `pairs` whose name starts with `prefix` (Effect's registry is process-wide: only ours).
 * Counters, gauges and histograms; frequencies and summaries are not used by ccl and left out.
 */
export const snapshotFamilies = (
  pairs: ReadonlyArray<MetricPair.MetricPair.Untyped>,
  prefix: string,
): ReadonlyArray<Family> => {
  const families = new Map<string, { help: string; type: Family["type"]; samples: Array<Sample> }>()
  for (const { metricKey: key, metricState: state } of pairs) {
    if (!key.name.startsWith(prefix)) continue
    const labels = key.tags.map((t) => [t.key, t.value] as const)
    const help = Option.getOrElse(key.description, () => key.name)
    const add = (type: Family["type"], samples: ReadonlyArray<Sample>) => {
      const f = families.get(key.name) ?? { help, type, samples: [] }
      f.samples.push(...samples)
      families.set(key.name, f)
    }
    if (MetricState.isCounterState(state)) add("counter", [{ labels, value: Number(state.count) }])
    else if (MetricState.isGaugeState(state)) add("gauge", [{ labels, value: Number(state.value) }])
    else if (MetricState.isHistogramState(state))
      add("histogram", histogramSamples(labels, state.buckets, state.sum, state.count))
  }
  // Label sets in a stable order: a scrape reads the same way each time.
  const key = (s: Sample) => s.labels.map(([k, v]) => `${k}=${v}`).join(",")
  return [...families].map(([name, f]) => ({
    name,
    help: f.help,
    type: f.type,
    samples: f.type === "histogram" ? f.samples : [...f.samples].sort((a, b) => (key(a) < key(b) ? -1 : 1)),
  }))
}
