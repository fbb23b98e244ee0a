import { Effect } from "effect"
import type { AgentEvent } from "./SimAgentEvent.js"

// `ccl sim-agent`'s terminal (raw mode, bracketed paste, redraws) and the signals that end it.

const CLEAR_SCREEN = "\x1b[2J\x1b[H"
const BRACKETED_PASTE_ON = "\x1b[?2004h"
const BRACKETED_PASTE_OFF = "\x1b[?2004l"

const ignore = () => {}

/** Best effort: after a hangup the terminal is gone and writes fail. */
const write = (text: string) => {
  try {
    process.stdout.write(text)
  } catch {
    // nothing to show it on
  }
}

/** Raw mode and bracketed paste while the agent runs, every read sent to the queue; restored on exit. */
export const acquireTerminal = (offer: (e: AgentEvent) => void) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const stdin = process.stdin
      const onData = (data: string) => offer({ _tag: "Input", data })
      const onEnd = () => offer({ _tag: "Hangup", code: 0 })
      const onResize = () => offer({ _tag: "Resize" })
      if (stdin.isTTY) stdin.setRawMode(true)
      stdin.setEncoding("utf8")
      stdin.on("data", onData).on("end", onEnd).on("error", onEnd)
      process.stdout.on("resize", onResize).on("error", ignore)
      stdin.resume()
      write(BRACKETED_PASTE_ON)
      return { onData, onEnd, onResize }
    }),
    (h) =>
      Effect.sync(() => {
        const stdin = process.stdin
        write(`${BRACKETED_PASTE_OFF}\r\n`)
        stdin.off("data", h.onData).off("end", h.onEnd).off("error", h.onEnd)
        process.stdout.off("resize", h.onResize)
        if (stdin.isTTY) stdin.setRawMode(false)
        // A paused stdin no longer keeps the process alive: it can exit once the program returns.
        stdin.pause()
      }),
  )

/** SIGHUP (the pane closed) and SIGTERM end the program through its finalizers, like an exit. */
export const acquireSignals = (offer: (e: AgentEvent) => void) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const onHup = () => offer({ _tag: "Hangup", code: 129 })
      const onTerm = () => offer({ _tag: "Hangup", code: 143 })
      process.on("SIGHUP", onHup).on("SIGTERM", onTerm)
      return { onHup, onTerm }
    }),
    (h) => Effect.sync(() => process.off("SIGHUP", h.onHup).off("SIGTERM", h.onTerm)),
  )

/** The terminal's size, with defaults when stdout is not a terminal. */
export const terminalSize = () => ({ rows: process.stdout.rows ?? 40, cols: process.stdout.columns ?? 120 })

/** Clears the terminal and draws `lines` from the top. */
export const redraw = (lines: ReadonlyArray<string>): void => write(CLEAR_SCREEN + lines.join("\r\n"))
