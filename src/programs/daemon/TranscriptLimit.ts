import { closeSync, fstatSync, openSync, readSync } from "node:fs"
import { detectUsageLimit } from "../../domain/UsageLimit.js"

/** How much of a transcript's end is read: a limit hit is among its last entries. */
const TAIL_BYTES = 64 * 1024

const tail = (file: string): string | undefined => {
  let fd: number | undefined
  try {
    fd = openSync(file, "r")
    const size = fstatSync(fd).size
    const length = Math.min(size, TAIL_BYTES)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    return buffer.toString("utf8")
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * A usage-limit hit recorded in a Claude Code transcript (an assistant entry with `isApiErrorMessage: true` and
 * `error: "rate_limit"`) at or after `sinceMs`: the third trigger of a failover, after hooks and the screen.
 * Returns the reset time when the entry's text names one; undefined when there is no such entry.
 */
export const transcriptLimitSince = (
  file: string,
  sinceMs: number,
  zone: string,
): { readonly resetAt: Date | undefined } | undefined => {
  const text = tail(file)
  if (text === undefined) return undefined
  for (const line of text.split("\n").reverse()) {
    if (!line.includes('"rate_limit"')) continue
    try {
      const e = JSON.parse(line) as Record<string, unknown>
      const at = Date.parse(String(e.timestamp))
      if (e.isApiErrorMessage !== true || e.error !== "rate_limit" || !(at >= sinceMs)) continue
      const content = (e.message as { content?: unknown } | undefined)?.content
      const words = Array.isArray(content)
        ? content.map((c) => String((c as { text?: unknown }).text ?? "")).join("\n")
        : String(content ?? "")
      return { resetAt: detectUsageLimit(words, at, zone)?.resetAt }
    } catch {
      // the first line of the tail may be cut: skip it
    }
  }
  return undefined
}
