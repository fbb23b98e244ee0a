const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y

/**
 * Parses a human duration such as `90s`, `5m`, `2h`, `1h30m` or `1d` into milliseconds.
 * A bare number means seconds. Returns undefined when the text is not a duration.
 */
export const parseDurationText = (text: string): number | undefined => {
  const s = text.trim().toLowerCase()
  if (s === "") return undefined
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000
  let total = 0
  PART.lastIndex = 0
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex
    const m = PART.exec(s)
    if (m === null || m.index !== at) return undefined
    total += Number(m[1]) * UNIT_MS[m[2]!]!
  }
  return total
}

/** Renders milliseconds compactly (`2h`, `1h30m`, `45s`, `250ms`). */
export const formatDurationMs = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)}ms`
  let rest = Math.round(ms / 1000)
  const parts: Array<string> = []
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`)
  return parts.join("")
}
