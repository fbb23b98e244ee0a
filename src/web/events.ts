// The page's live feed: GET /api/events read with fetch and a ReadableStream (EventSource cannot send the bearer
// token), reconnecting with Last-Event-ID after a drop. While the stream is down the page polls every few
// seconds instead, and tries the stream again with a growing backoff.

import { authHeaders } from "./api.js"
import { sseParser } from "./sse.js"

export type FeedState = "connecting" | "live" | "polling"

export interface FeedHandlers {
  /** One event from the stream: its SSE type (`task`, `session`, ..., `reset`). */
  readonly onEvent: (type: string) => void
  /** The stream (re)connected, or a poll is due: reread everything, events may have been missed. */
  readonly onResync: () => void
  readonly onState: (state: FeedState) => void
  readonly onUnauthorized: () => void
}

const POLL_MS = 3_000
const FIRST_RETRY_MS = 1_000
const MAX_RETRY_MS = 30_000
/** The daemon sends a keep-alive every 15 s: silence for much longer means a dead connection. */
const SILENCE_MS = 45_000

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener("abort", () => {
      clearTimeout(timer)
      resolve()
    })
  })

/** Starts the feed; the function it returns stops it for good. */
export const startFeed = (token: string | null, handlers: FeedHandlers): (() => void) => {
  const stopped = new AbortController()
  let lastId = ""
  let pollTimer: ReturnType<typeof setInterval> | undefined

  const polling = (on: boolean) => {
    if (on && pollTimer === undefined) {
      handlers.onState("polling")
      pollTimer = setInterval(handlers.onResync, POLL_MS)
    } else if (!on && pollTimer !== undefined) {
      clearInterval(pollTimer)
      pollTimer = undefined
    }
  }

  /** One connection, until it ends. Returns false when the token was refused (no point retrying). */
  const connect = async (): Promise<boolean> => {
    const attempt = new AbortController()
    const abort = () => attempt.abort()
    stopped.signal.addEventListener("abort", abort)
    let silence: ReturnType<typeof setTimeout> | undefined
    const heard = () => {
      clearTimeout(silence)
      silence = setTimeout(abort, SILENCE_MS)
    }
    try {
      const response = await fetch("/api/events", {
        headers: {
          Accept: "text/event-stream",
          ...authHeaders(token),
          ...(lastId === "" ? {} : { "Last-Event-ID": lastId }),
        },
        cache: "no-store",
        credentials: "omit",
        signal: attempt.signal,
      })
      if (response.status === 401) return false
      if (!response.ok || response.body === null) return true
      polling(false)
      handlers.onState("live")
      handlers.onResync()
      heard()
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
      const parser = sseParser()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return true
        heard()
        for (const message of parser.push(value)) {
          lastId = message.id
          handlers.onEvent(message.event)
        }
      }
    } catch {
      return true
    } finally {
      clearTimeout(silence)
      stopped.signal.removeEventListener("abort", abort)
    }
  }

  const run = async () => {
    let wait = FIRST_RETRY_MS
    while (!stopped.signal.aborted) {
      const startedAt = Date.now()
      const retry = await connect()
      if (stopped.signal.aborted) break
      if (!retry) {
        handlers.onUnauthorized()
        break
      }
      polling(true)
      // A stream that stayed up a while earns a quick reconnect; one that keeps failing backs off.
      const delay = Date.now() - startedAt > MAX_RETRY_MS ? FIRST_RETRY_MS : wait
      await sleep(delay, stopped.signal)
      wait = Math.min(delay * 2, MAX_RETRY_MS)
    }
    polling(false)
  }

  handlers.onState("connecting")
  void run()
  return () => stopped.abort()
}
