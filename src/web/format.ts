// How the page writes times, ages and raw text. Everything shown from the daemon goes through Preact's text
// nodes, never innerHTML; plainText also makes terminal bytes (ANSI colours, other control characters) visible
// as what they are instead of letting them vanish or garble a line.

/** A duration in ms as `4s`, `3m 12s`, `2h 05m`, `3d 4h`. */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.floor(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, "0")}s`
  const h = Math.floor(m / 60)
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

const parsed = (iso: string | null | undefined): number | undefined => {
  if (iso === null || iso === undefined) return undefined
  const t = Date.parse(iso)
  return Number.isNaN(t) ? undefined : t
}

/** How long ago: `3m 12s`; `-` when unknown. */
export const age = (iso: string | null | undefined, now: number): string => {
  const t = parsed(iso)
  return t === undefined ? "-" : duration(now - t)
}

/** A local date and time, short: `14:03:22` today, `Dec 3, 14:03` otherwise. */
export const clock = (iso: string | null | undefined): string => {
  const t = parsed(iso)
  if (t === undefined) return "-"
  const d = new Date(t)
  const today = new Date().toDateString() === d.toDateString()
  return today
    ? d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" })
    : d.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })
}

/** `14:03 (in 2h 05m)` for a time to come, `14:03 (passed)` once it has. */
export const until = (iso: string | null | undefined, now: number): string => {
  const t = parsed(iso)
  if (t === undefined) return "-"
  return `${clock(iso)} (${t > now ? `in ${duration(t - now)}` : "passed"})`
}

export const money = (usd: number | null | undefined): string =>
  usd === null || usd === undefined ? "-" : `$${usd.toFixed(usd < 1 ? 4 : 2)}`

/** C0 controls other than tab and newline, and DEL: an ANSI colour starts with one (ESC). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g

/**
 * Text safe and legible in a text node: control characters as their Unicode pictures (U+2400...), so that an
 * ANSI colour reads `␛[31m` and the operator sees it was there, rather than vanishing or garbling the line.
 */
export const plainText = (s: string): string =>
  s
    .replace(/\r\n/g, "\n")
    .replace(CONTROL, (c) => (c === "\x7f" ? "\u2421" : String.fromCharCode(0x2400 + c.charCodeAt(0))))
