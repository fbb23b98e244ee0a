// Prometheus's text exposition format 0.0.4 (GET /metrics): metric families as text, nothing else.

/** The Content-Type a scraper expects for this format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

export type FamilyType = "counter" | "gauge" | "histogram"

/** One line of a family: its labels (in order) and value; `suffix` for a histogram's _bucket, _sum, _count. */
export interface Sample {
  readonly labels: ReadonlyArray<readonly [string, string]>
  readonly value: number
  readonly suffix?: "_bucket" | "_sum" | "_count"
}

/** A metric family: one HELP line, one TYPE line, its samples right after them. */
export interface Family {
  readonly name: string
  readonly help: string
  readonly type: FamilyType
  readonly samples: ReadonlyArray<Sample>
}

/** A label value as the format wants it: backslash, double quote and line feed escaped. */
export const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

/** HELP text: backslash and line feed escaped (a quote is fine there). */
export const escapeHelp = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")

/** A sample value, or a bucket's `le`: Go's ParseFloat spellings for the special ones. */
export const formatValue = (n: number): string =>
  Number.isNaN(n)
    ? "NaN"
    : n === Number.POSITIVE_INFINITY
      ? "+Inf"
      : n === Number.NEGATIVE_INFINITY
        ? "-Inf"
        : String(n)

const sampleLine = (name: string, s: Sample): string => {
  const labels =
    s.labels.length === 0 ? "" : `{${s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`
  return `${name}${s.suffix ?? ""}${labels} ${formatValue(s.value)}`
}

/**
 * The families as one exposition, sorted by name. Families of the same name are merged (a scraper refuses a
 * second TYPE line for a name), the first one's HELP and TYPE kept.
 */
export const renderFamilies = (families: ReadonlyArray<Family>): string => {
  const byName = new Map<string, Family>()
  for (const f of families) {
    const seen = byName.get(f.name)
    byName.set(f.name, seen === undefined ? f : { ...seen, samples: [...seen.samples, ...f.samples] })
  }
  const lines: Array<string> = []
  for (const f of [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    lines.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
    for (const s of f.samples) lines.push(sampleLine(f.name, s))
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`
}

/** Histogram samples: cumulative buckets (ending with +Inf), then _sum and _count. */
export const histogramSamples = (
  labels: ReadonlyArray<readonly [string, string]>,
  buckets: ReadonlyArray<readonly [number, number]>,
  sum: number,
  count: number,
): ReadonlyArray<Sample> => {
  const bucket = (le: number, value: number): Sample => ({
    labels: [...labels, ["le", formatValue(le)]],
    value,
    suffix: "_bucket",
  })
  const finite = buckets.filter(([le]) => le !== Number.POSITIVE_INFINITY)
  return [
    ...finite.map(([le, n]) => bucket(le, n)),
    bucket(Number.POSITIVE_INFINITY, count),
    { labels, value: sum, suffix: "_sum" },
    { labels, value: count, suffix: "_count" },
  ]
}
