// The Server-Sent Events wire format (text/event-stream, WHATWG HTML "Server-sent events"): what GET /api/events
// writes, and an incremental reader for its client (`ccl status --watch`). Plain functions, no I/O.

/** One message as written or read: `id:` and `event:` are optional, `data` is the whole data text. */
export interface SseMessage {
  readonly id?: string | undefined
  readonly event?: string | undefined
  readonly data: string
}

/** A message as text: one `data:` line per line of data, a blank line to end it. */
export const sseMessage = (m: SseMessage): string =>
  (m.id === undefined ? "" : `id: ${m.id}\n`) +
  (m.event === undefined ? "" : `event: ${m.event}\n`) +
  m.data
    .split("\n")
    .map((line) => `data: ${line}\n`)
    .join("") +
  "\n"

/** A comment: the reader ignores it; it keeps proxies and idle timeouts from closing a quiet stream. */
export const sseComment = (text: string) => `: ${text}\n\n`

/** How long a browser's EventSource waits before it reconnects. */
export const sseRetry = (ms: number) => `retry: ${ms}\n\n`

/** The reader's state between chunks: the unfinished line and the fields of the message being read. */
export interface SseReader {
  readonly rest: string
  readonly id: string | undefined
  readonly event: string | undefined
  readonly data: ReadonlyArray<string>
}

export const sseReaderStart: SseReader = { rest: "", id: undefined, event: undefined, data: [] }

/**
 * Reads a chunk of text (lines may be cut anywhere between chunks): the messages it completes, and the state for
 * the next chunk. Comments and `retry:` lines give no message; a message with no `data:` line is not dispatched
 * (as in a browser).
 */
export const readSse = (
  reader: SseReader,
  chunk: string,
): readonly [SseReader, ReadonlyArray<SseMessage>] => {
  const text = reader.rest + chunk
  // A chunk ending in "\r" may be half of "\r\n": held back, with the unfinished last line, for the next chunk.
  const held = text.endsWith("\r") ? "\r" : ""
  const lines = (held === "" ? text : text.slice(0, -1)).split(/\r\n|\r|\n/)
  const rest = (lines.pop() ?? "") + held
  let { id, event, data } = reader
  const messages: Array<SseMessage> = []
  for (const line of lines) {
    if (line === "") {
      if (data.length > 0) messages.push({ id, event, data: data.join("\n") })
      event = undefined
      data = []
      continue
    }
    if (line.startsWith(":")) continue
    const colon = line.indexOf(":")
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "")
    if (field === "data") data = [...data, value]
    else if (field === "event") event = value
    else if (field === "id") id = value
  }
  return [{ rest, id, event, data }, messages]
}
