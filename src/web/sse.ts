// A Server-Sent Events parser for a stream read with fetch (EventSource cannot send the Authorization header):
// the fields of the WHATWG spec the daemon sends (`id:`, `event:`, `data:`, `:` comments; `retry:` is ignored,
// the page keeps its own backoff), one message per blank line. Chunks may split a line, or a CRLF, anywhere.

export interface SseMessage {
  /** The last `id:` seen so far in the stream (Last-Event-ID on a reconnect), "" when none. */
  readonly id: string
  readonly event: string
  readonly data: string
}

export interface SseParser {
  /** Feeds decoded text; returns the messages it completed. */
  push(chunk: string): Array<SseMessage>
}

export const sseParser = (): SseParser => {
  let buffer = ""
  let lastId = ""
  let event = ""
  let data: Array<string> = []
  let sawData = false

  const line = (text: string, out: Array<SseMessage>) => {
    if (text === "") {
      // A message without data is dropped (spec), and so is its event type.
      if (sawData) out.push({ id: lastId, event: event === "" ? "message" : event, data: data.join("\n") })
      event = ""
      data = []
      sawData = false
      return
    }
    if (text.startsWith(":")) return
    const colon = text.indexOf(":")
    const field = colon === -1 ? text : text.slice(0, colon)
    let value = colon === -1 ? "" : text.slice(colon + 1)
    if (value.startsWith(" ")) value = value.slice(1)
    if (field === "event") event = value
    else if (field === "data") {
      data.push(value)
      sawData = true
    } else if (field === "id" && !value.includes("\0")) lastId = value
  }

  return {
    push(chunk) {
      buffer += chunk
      const out: Array<SseMessage> = []
      for (;;) {
        const end = buffer.search(/\r\n|\r|\n/)
        if (end === -1) break
        // A lone CR at the end of a chunk may be the first half of a CRLF: wait for the next chunk.
        if (buffer[end] === "\r" && end === buffer.length - 1) break
        const width = buffer.startsWith("\r\n", end) ? 2 : 1
        line(buffer.slice(0, end), out)
        buffer = buffer.slice(end + width)
      }
      return out
    },
  }
}
