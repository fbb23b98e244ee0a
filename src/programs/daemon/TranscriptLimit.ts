import { messageText, transcriptEntries } from "../../domain/TranscriptEntries.js"
import { detectUsageLimit } from "../../domain/UsageLimit.js"
import { readFileTail } from "../../layers/FileTail.js"

/** How much of a transcript's end is read: a limit hit is among its last entries. */
const TAIL_BYTES = 64 * 1024

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
  const text = readFileTail(file, TAIL_BYTES)?.text
  if (text === undefined) return undefined
  for (const e of [...transcriptEntries(text)].reverse()) {
    const at = Date.parse(String(e.timestamp))
    if (e.isApiErrorMessage !== true || e.error !== "rate_limit" || !(at >= sinceMs)) continue
    return { resetAt: detectUsageLimit(messageText(e.message) ?? "", at, zone)?.resetAt }
  }
  return undefined
}
