// Reading a /metrics answer in tests: a small parser of the text format (values by series) and Prometheus's own
// checker, promtool (Debian's prometheus package; .ci/run installs it), on the same text.

import { spawnSync } from "node:child_process"

/** A series as a key: its name and its labels sorted, values unescaped (`name{a="x",b="y"}`). */
export const seriesKey = (name: string, labels: Record<string, string> = {}) => {
  const pairs = Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1))
  return pairs.length === 0
    ? name
    : `${name}{${pairs.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",")}}`
}

/** The labels of `{a="x",b="y\"z"}` (without the braces), unescaped; throws on anything malformed. */
const parseLabels = (text: string): Record<string, string> => {
  const out: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf("=", i)
    const name = text.slice(i, eq)
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || text[eq + 1] !== '"') throw new Error(`bad labels: ${text}`)
    let value = ""
    let j = eq + 2
    for (; text[j] !== '"'; j++) {
      if (j >= text.length) throw new Error(`unterminated label value: ${text}`)
      if (text[j] === "\\") {
        const next = text[++j]
        value += next === "n" ? "\n" : next
      } else value += text[j]
    }
    out[name] = value
    i = j + 1
    if (text[i] === ",") i++
  }
  return out
}

export interface Exposition {
  /** Series key -> value. */
  readonly values: ReadonlyMap<string, number>
  /** Family name -> its TYPE. */
  readonly types: ReadonlyMap<string, string>
  /** Family name -> its HELP text (escaped as written). */
  readonly help: ReadonlyMap<string, string>
  readonly value: (name: string, labels?: Record<string, string>) => number | undefined
  /** Every series of `name` (suffix included), with its labels. */
  readonly series: (name: string) => ReadonlyArray<{ labels: Record<string, string>; value: number }>
}

const number = (s: string) => (s === "+Inf" ? Infinity : s === "-Inf" ? -Infinity : Number(s))

export const parseExposition = (text: string): Exposition => {
  const values = new Map<string, number>()
  const types = new Map<string, string>()
  const help = new Map<string, string>()
  const all: Array<{ name: string; labels: Record<string, string>; value: number }> = []
  for (const line of text.split("\n")) {
    if (line === "") continue
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line)
    if (meta !== null) {
      ;(meta[1] === "TYPE" ? types : help).set(meta[2]!, meta[3]!)
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (m === null) throw new Error(`not a sample line: ${JSON.stringify(line)}`)
    const labels = parseLabels(m[2] ?? "")
    const value = number(m[3]!)
    values.set(seriesKey(m[1]!, labels), value)
    all.push({ name: m[1]!, labels, value })
  }
  return {
    values,
    types,
    help,
    value: (name, labels) => values.get(seriesKey(name, labels)),
    series: (name) => all.filter((s) => s.name === name).map(({ labels, value }) => ({ labels, value })),
  }
}

/** The promtool to run: CCL_PROMTOOL, else the one on PATH. */
export const promtool = process.env.CCL_PROMTOOL ?? "promtool"

export const promtoolFound = () => spawnSync(promtool, ["--version"], { encoding: "utf8" }).status === 0

/** `promtool check metrics` on `text`: exit code 0 and no output when it parses and lints clean. */
export const promtoolCheck = (text: string) => {
  const r = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8" })
  return { code: r.status, output: `${r.stdout}${r.stderr}`.trim() }
}
