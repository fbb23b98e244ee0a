import { instantOfWallTime, isKnownZone, type WallTime, wallTimeAt } from "./ZonedTime.js"

/** A usage-limit hit read from Claude Code's text. */
export interface UsageLimitHit {
  /** The line that matched. */
  readonly line: string
  /** When the limit resets, if the text says so. */
  readonly resetAt: Date | undefined
}

// Hit forms (DESIGN.md "Usage-limit screens"), anchored at the start of a line once Claude Code's bullets and
// box characters are stripped, so a prompt echoed on screen ("> fix 'connection limit reached'") is no hit.
// The non-limits ("You've used 90% of your weekly limit", "Approaching usage limit", "not your usage limit")
// match none of these.
const HIT = [
  /^you['’]ve hit your [\w\s-]*limit\b/i,
  /^claude (?:ai )?usage limit reached\b/i,
  /^[\w-]+(?: [\w-]+)? limit reached\s*[∙·•|-]/i,
]
const EPOCH = /^claude ai usage limit reached\|(\d{9,11})/i
const UI_PREFIX = /^[\s\u00a0⎿●⏺│┃╭╰─⎯*✻✳·•⚠]*/u
// "resets 10:15pm", "reset at 5pm", and 2.1.332's "set to continue automatically at 10:15pm" /
// "Continuing automatically at 10:15pm" (the auto-continue runs at the reset).
const RESET =
  /(?:\breset(?:s| at)\s+(?:at\s+)?|\bcontinu(?:e|ing) automatically at\s+)(?:(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2}),?\s+(?:at\s+)?)?(\d{1,2})(?::(\d{2}))?\s*(am|pm)?(?:\s*\(([^)\s]+)\))?/i
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

const addDays = (w: WallTime, days: number): WallTime => {
  const d = new Date(Date.UTC(w.year, w.month - 1, w.day + days))
  return { ...w, year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

const resetFrom = (line: string, now: number, localZone: string): Date | undefined => {
  const m = RESET.exec(line)
  if (m === null) return undefined
  const [, mon, dayText, hourText, minuteText, ampm, bracketZone] = m
  const zone = bracketZone ?? localZone
  if (!isKnownZone(zone)) return undefined
  let hour = Number(hourText)
  const minute = minuteText === undefined ? 0 : Number(minuteText)
  if (ampm !== undefined) {
    if (hour < 1 || hour > 12) return undefined
    hour = (hour % 12) + (ampm.toLowerCase() === "pm" ? 12 : 0)
  }
  if (hour > 23 || minute > 59) return undefined
  const today = wallTimeAt(now, zone)
  if (mon !== undefined) {
    // "Jan 30, 11:30am": this year, or next year if already past.
    const month = MONTHS.indexOf(mon.toLowerCase()) + 1
    const at = (year: number) => instantOfWallTime({ year, month, day: Number(dayText), hour, minute }, zone)
    const thisYear = at(today.year)
    return new Date(upcoming(thisYear, now) ?? at(today.year + 1))
  }
  // Time only: today in that zone, or tomorrow when already past.
  const candidate = instantOfWallTime({ ...today, hour, minute }, zone)
  return new Date(upcoming(candidate, now) ?? instantOfWallTime({ ...addDays(today, 1), hour, minute }, zone))
}

/**
 * A shown reset still to come, or undefined when it is past. Claude Code shows minutes only: a reset shown as the
 * minute we are in has not necessarily passed, so it counts as the end of that minute, not as tomorrow.
 */
const upcoming = (shown: number, now: number): number | undefined =>
  shown > now ? shown : now - shown < MINUTE_MS ? shown + MINUTE_MS : undefined

const MINUTE_MS = 60_000

/** A line (Claude Code's bullets and boxes stripped) that says the limit was hit, and where its reset is said. */
const hitAt = (lines: ReadonlyArray<string>, i: number, now: number, localZone: string) => {
  const line = lines[i]!.replace(UI_PREFIX, "").trim()
  const epoch = EPOCH.exec(line)
  if (epoch !== null) return { line, resetAt: new Date(Number(epoch[1]) * 1000) }
  if (!HIT.some((re) => re.test(line))) return undefined
  // The reset may sit on the same line or the next ("Your limit will reset at 5pm").
  return { line, resetAt: resetFrom(line, now, localZone) ?? resetFrom(lines[i + 1] ?? "", now, localZone) }
}

/** Every line of `text` that is a usage-limit hit, top to bottom. */
export const usageLimitLines = (text: string, now: number, localZone: string): UsageLimitHit[] => {
  const lines = text.split(/\r?\n/)
  return lines.flatMap((_, i) => hitAt(lines, i, now, localZone) ?? [])
}

/**
 * Recognises a usage-limit hit in text from Claude Code (a screen, a message) and parses its reset time.
 * Returns the last hit on the screen, or undefined when the text holds none. When that line names no reset (2.1.332
 * ends with `● Usage limit reached · set to continue automatically at 10:15pm` and its footer), the nearest hit
 * above it that does gives the reset time.
 * `now` is epoch milliseconds; `localZone` is the machine's zone, used when the text names none.
 */
export const detectUsageLimit = (text: string, now: number, localZone: string): UsageLimitHit | undefined => {
  const hits = usageLimitLines(text, now, localZone)
  const last = hits.at(-1)
  if (last === undefined || last.resetAt !== undefined) return last
  const resetAt = [...hits].reverse().find((h) => h.resetAt !== undefined)?.resetAt
  return { line: last.line, resetAt }
}
