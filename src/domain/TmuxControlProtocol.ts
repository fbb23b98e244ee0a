// tmux control mode (`tmux -C`), the pure parts: quoting a command line for tmux's parser, and reading the
// byte stream tmux answers with. Each command line gets one reply block `%begin T N F` ... `%end T N F` (or
// `%error T N F`); between blocks come notifications, lines starting with `%` (never inside a block). Block
// bodies are raw (a pane's screen may hold a line such as "%end 1 2 1"), so a block ends only at the guard
// line that repeats its %begin's time, number and flags exactly. %output data escapes bytes below space and
// backslash as \ooo.

/** Something tmux reported on its own, between replies. */
export type TmuxNotification =
  /** `%output %<pane> <data>`: bytes a pane's program wrote. */
  | { readonly _tag: "Output"; readonly paneId: string; readonly data: Uint8Array }
  /** `%exit [reason]`: tmux is about to close this control client. */
  | { readonly _tag: "Exit"; readonly reason: string }
  /** Any other notification: its name without `%` (`sessions-changed`, `window-add`...) and the rest. */
  | { readonly _tag: "Other"; readonly name: string; readonly args: string }

/** A reply block. `mine` is false for blocks tmux runs on its own (the initial command, hooks: flags 0). */
export interface ControlReply {
  readonly ok: boolean
  readonly mine: boolean
  readonly lines: ReadonlyArray<string>
}

export type ControlEvent =
  | { readonly _tag: "Reply"; readonly reply: ControlReply }
  | { readonly _tag: "Notification"; readonly notification: TmuxNotification }

/**
 * One argument for tmux's command parser, taken literally: single-quoted (no `$`, `~`, `\`, `#`, `;`, `{`
 * expansion inside), `'` as `\'` between quoted runs, control characters as `\ooo` octal escapes outside quotes
 * so that a newline can never end the command line early.
 */
export const quoteArg = (arg: string): string => {
  let out = ""
  let open = false
  for (const ch of arg) {
    const code = ch.codePointAt(0)!
    if (ch === "'" || code < 0x20 || code === 0x7f) {
      if (open) out += "'"
      open = false
      out += ch === "'" ? "\\'" : `\\${code.toString(8).padStart(3, "0")}`
    } else {
      if (!open) out += "'"
      open = true
      out += ch
    }
  }
  return out === "" ? "''" : open ? `${out}'` : out
}

/** One control-mode command line: `name` (a fixed tmux command name) and its arguments, each quoted. */
export const commandLine = (args: ReadonlyArray<string>): string => {
  const [name, ...rest] = args
  if (name === undefined || !/^[a-z][a-z-]*$/.test(name)) throw new Error(`not a tmux command name: ${name}`)
  return [name, ...rest.map(quoteArg)].join(" ")
}

const BACKSLASH = 0x5c
const octal = (d: number) => d >= 0 && d <= 7

/** %output data: `\ooo` escapes back to bytes, everything else as is. */
export const decodeOutput = (escaped: Uint8Array): Uint8Array => {
  const out = new Uint8Array(escaped.length)
  let n = 0
  for (let i = 0; i < escaped.length; i++) {
    const b = escaped[i]!
    const d = (k: number) => (escaped[i + k] ?? 0) - 0x30
    if (b === BACKSLASH && i + 3 < escaped.length && d(1) >= 0 && d(1) <= 3 && octal(d(2)) && octal(d(3))) {
      out[n++] = d(1) * 64 + d(2) * 8 + d(3)
      i += 3
    } else out[n++] = b
  }
  return out.slice(0, n)
}

const utf8 = new TextDecoder()
const OUTPUT_PREFIX = new TextEncoder().encode("%output ")
const BEGIN_PREFIX = new TextEncoder().encode("%begin ")
const startsWith = (line: Uint8Array, prefix: Uint8Array) =>
  line.length >= prefix.length && prefix.every((b, i) => line[i] === b)

const notification = (line: Uint8Array): TmuxNotification => {
  if (startsWith(line, OUTPUT_PREFIX)) {
    const space = line.indexOf(0x20, OUTPUT_PREFIX.length)
    const end = space === -1 ? line.length : space
    const escaped = line.slice(Math.min(end + 1, line.length))
    // Decoded only when read: the daemon wants to know that a pane printed, seldom what.
    return {
      _tag: "Output",
      paneId: utf8.decode(line.subarray(OUTPUT_PREFIX.length, end)),
      get data() {
        return decodeOutput(escaped)
      },
    }
  }
  const text = utf8.decode(line)
  const space = text.indexOf(" ")
  const name = text.slice(1, space === -1 ? undefined : space)
  const args = space === -1 ? "" : text.slice(space + 1)
  return name === "exit" ? { _tag: "Exit", reason: args } : { _tag: "Other", name, args }
}

/**
 * A parser for one control client's stdout. `feed` takes chunks cut anywhere (inside a line, inside a UTF-8
 * character) and returns the events completed so far, in order.
 */
export const makeControlParser = () => {
  let partial: Array<Uint8Array> = []
  let block: { guard: string; lines: Array<string>; mine: boolean } | undefined

  const onLine = (raw: Uint8Array): ControlEvent | undefined => {
    if (block !== undefined) {
      const text = utf8.decode(raw)
      if (text === `%end ${block.guard}` || text === `%error ${block.guard}`) {
        const reply = { ok: text.startsWith("%end"), mine: block.mine, lines: block.lines }
        block = undefined
        return { _tag: "Reply", reply }
      }
      block.lines.push(text)
      return undefined
    }
    if (raw[0] !== 0x25) return undefined // not "%": nothing tmux sends outside a block
    // A %output line can be long: it is not decoded as text just to learn that it is not a %begin.
    const begin = startsWith(raw, BEGIN_PREFIX) ? /^%begin (\d+ \d+ (\d+))$/.exec(utf8.decode(raw)) : null
    if (begin) {
      block = { guard: begin[1]!, lines: [], mine: begin[2] === "1" }
      return undefined
    }
    return { _tag: "Notification", notification: notification(raw) }
  }

  return {
    feed: (chunk: Uint8Array): ReadonlyArray<ControlEvent> => {
      const events: Array<ControlEvent> = []
      let start = 0
      for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
        const piece = chunk.subarray(start, nl)
        const line = partial.length === 0 ? piece : concat([...partial, piece])
        partial = []
        start = nl + 1
        const event = onLine(line)
        if (event !== undefined) events.push(event)
      }
      if (start < chunk.length) partial.push(chunk.slice(start))
      return events
    },
  }
}

const concat = (parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}
