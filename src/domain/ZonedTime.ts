/** Wall-clock arithmetic in an IANA zone, on top of Intl (no dependency). */

const formatters = new Map<string, Intl.DateTimeFormat>()

const formatterFor = (zone: string): Intl.DateTimeFormat | undefined => {
  let f = formatters.get(zone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      })
    } catch {
      return undefined
    }
    formatters.set(zone, f)
  }
  return f
}

/** True when Intl knows the zone name. */
export const isKnownZone = (zone: string): boolean => formatterFor(zone) !== undefined

export interface WallTime {
  readonly year: number
  readonly month: number // 1-12
  readonly day: number
  readonly hour: number
  readonly minute: number
}

/** The wall-clock date and time at `instant` in `zone`. */
export const wallTimeAt = (instant: number, zone: string): WallTime => {
  const parts = formatterFor(zone)!.formatToParts(new Date(instant))
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value)
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute") }
}

const offsetAt = (instant: number, zone: string): number => {
  const w = wallTimeAt(instant, zone)
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)
  return asUtc - (instant - (instant % 60_000))
}

/** The instant at which `zone` shows the wall time `w` (the later one on a DST overlap). */
export const instantOfWallTime = (w: WallTime, zone: string): number => {
  const guess = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute)
  const first = guess - offsetAt(guess, zone)
  return guess - offsetAt(first, zone)
}
