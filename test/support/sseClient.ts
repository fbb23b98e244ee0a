// A plain client of GET /api/events for tests: fetch streaming (what a browser uses, since an EventSource cannot
// send the bearer token), read with the domain's SSE reader, messages taken as they come.

import { readSse, type SseMessage, sseReaderStart } from "../../src/domain/ServerSentEvents.js"

export interface SseConnection {
  readonly status: number
  readonly contentType: string | null
  /** The raw text read so far (comments and `retry:` included). */
  readonly text: () => string
  /** The next `n` messages (waits for them; fails after `timeoutMs` with what came). */
  readonly take: (n: number, timeoutMs?: number) => Promise<ReadonlyArray<SseMessage>>
  /** Messages up to the first one `found` matches (waits for it; fails after `timeoutMs` with what came). */
  readonly takeUntil: (
    found: (m: SseMessage) => boolean,
    timeoutMs?: number,
  ) => Promise<ReadonlyArray<SseMessage>>
  /** Every message received and not taken yet. */
  readonly pending: () => ReadonlyArray<SseMessage>
  readonly close: () => void
}

/** Opens the stream; resolves once the answer's head came and (for a 200) its first bytes (`retry:`). */
export const openEvents = async (url: string, headers: Record<string, string>): Promise<SseConnection> => {
  const abort = new AbortController()
  const response = await fetch(url, { headers, signal: abort.signal })
  let text = ""
  let reader = sseReaderStart
  const queue: Array<SseMessage> = []
  let wake = () => {}
  let ended = false
  const body = response.body
  if (response.status === 200 && body !== null) {
    const decoder = new TextDecoder()
    const stream = body.getReader()
    let firstBytes = () => {}
    const first = new Promise<void>((r) => (firstBytes = r))
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await stream.read()
          if (done) break
          const chunk = decoder.decode(value, { stream: true })
          text += chunk
          const [next, messages] = readSse(reader, chunk)
          reader = next
          queue.push(...messages)
          firstBytes()
          wake()
        }
      } catch {
        // aborted by close()
      }
      ended = true
      firstBytes()
      wake()
    })()
    await first
  } else {
    text = await response.text()
  }
  const take = async (n: number, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs
    while (queue.length < n) {
      if (ended || Date.now() > until)
        throw new Error(`${queue.length} of ${n} messages came${ended ? " (stream ended)" : ""}:\n${text}`)
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 100)
      })
    }
    return queue.splice(0, n)
  }
  const takeUntil = async (found: (m: SseMessage) => boolean, timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs
    for (;;) {
      const at = queue.findIndex(found)
      if (at >= 0) return queue.splice(0, at + 1)
      if (ended || Date.now() > until)
        throw new Error(`no such message came${ended ? " (stream ended)" : ""}:\n${text}`)
      await new Promise<void>((r) => {
        wake = r
        setTimeout(r, 100)
      })
    }
  }
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    text: () => text,
    take,
    takeUntil,
    pending: () => [...queue],
    close: () => abort.abort(),
  }
}
