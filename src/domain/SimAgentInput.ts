// `ccl sim-agent`'s keyboard: raw terminal input (escape sequences, bracketed paste) decoded into keys.

export type Key =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Paste"; readonly text: string }
  | { readonly _tag: "Enter" }
  | { readonly _tag: "Newline" }
  | { readonly _tag: "Backspace" }
  | { readonly _tag: "CtrlC" }
  | { readonly _tag: "CtrlD" }
  | { readonly _tag: "Escape" }

/**
 * What a read left unfinished: an escape sequence cut at the end of a chunk (`pending`), or the text of a
 * bracketed paste whose end marker has not arrived yet (`paste`).
 */
export interface InputDecoder {
  readonly pending: string
  readonly paste: string | undefined
}

export interface Decoded {
  readonly decoder: InputDecoder
  readonly keys: ReadonlyArray<Key>
}

export const emptyDecoder: InputDecoder = { pending: "", paste: undefined }

const ESC = "\x1b"
const PASTE_START = "\x1b[200~"
const PASTE_END = "\x1b[201~"

const CONTROL_KEYS: Record<string, Key> = {
  "\r": { _tag: "Enter" },
  "\n": { _tag: "Newline" },
  "\x7f": { _tag: "Backspace" },
  "\b": { _tag: "Backspace" },
  "\x03": { _tag: "CtrlC" },
  "\x04": { _tag: "CtrlD" },
}

/** Terminals send a pasted newline as CR (tmux paste-buffer too); the prompt keeps it as LF. */
const normalizeNewlines = (text: string): string => text.replace(/\r\n?/g, "\n")

/** Length of the longest suffix of `s` that is a proper prefix of `marker`: a marker possibly cut by a read. */
const cutMarkerLength = (s: string, marker: string): number => {
  for (let n = Math.min(s.length, marker.length - 1); n > 0; n--) {
    if (marker.startsWith(s.slice(s.length - n))) return n
  }
  return 0
}

/**
 * How many characters the escape sequence at the start of `s` takes and whether it is the Escape key,
 * or undefined when it may still be incomplete (more input, or the flush timeout, decides).
 */
const escapeSequence = (s: string): { readonly length: number; readonly escape: boolean } | undefined => {
  if (s.length === 1) return undefined
  const second = s[1]!
  if (second === ESC) return { length: 1, escape: true }
  if (second === "[") {
    // CSI: parameters, then one final byte in @..~ (arrows, function keys, focus events).
    for (let i = 2; i < s.length; i++) {
      const code = s.charCodeAt(i)
      if (code >= 0x40 && code <= 0x7e) return { length: i + 1, escape: false }
    }
    return undefined
  }
  if (second === "O") return s.length < 3 ? undefined : { length: 3, escape: false }
  // Alt+key: ESC then the key; neither is typed.
  return { length: 2, escape: false }
}

/** Decodes one read of raw terminal input (already UTF-8 decoded) into keys. */
export const decodeInput = (decoder: InputDecoder, chunk: string): Decoded => {
  const s = decoder.pending + chunk
  const keys: Array<Key> = []
  let paste = decoder.paste
  let text = ""
  const flushText = () => {
    if (text !== "") keys.push({ _tag: "Text", text })
    text = ""
  }
  let i = 0
  while (i < s.length) {
    if (paste !== undefined) {
      // Inside a paste everything is literal until the end marker, which a read may cut in two.
      const end = s.indexOf(PASTE_END, i)
      if (end === -1) {
        const keep = cutMarkerLength(s.slice(i), PASTE_END)
        return {
          decoder: { pending: s.slice(s.length - keep), paste: paste + s.slice(i, s.length - keep) },
          keys,
        }
      }
      keys.push({ _tag: "Paste", text: normalizeNewlines(paste + s.slice(i, end)) })
      paste = undefined
      i = end + PASTE_END.length
      continue
    }
    const c = s[i]!
    if (c === ESC) {
      flushText()
      const rest = s.slice(i)
      if (rest.startsWith(PASTE_START)) {
        paste = ""
        i += PASTE_START.length
        continue
      }
      const seq = escapeSequence(rest)
      if (seq === undefined) return { decoder: { pending: rest, paste: undefined }, keys }
      if (seq.escape) keys.push({ _tag: "Escape" })
      i += seq.length
      continue
    }
    const control = CONTROL_KEYS[c]
    if (control !== undefined) {
      flushText()
      keys.push(control)
    } else if (c >= " ") {
      text += c
    }
    // Other C0 controls (tab, ctrl letters) do nothing here.
    i++
  }
  flushText()
  return { decoder: { pending: "", paste }, keys }
}

/**
 * Called when no more input followed an unfinished read: a lone ESC was the Escape key; a cut sequence is
 * dropped. An open paste keeps waiting for its end marker.
 */
export const flushInput = (decoder: InputDecoder): Decoded => {
  if (decoder.paste !== undefined || decoder.pending === "") return { decoder, keys: [] }
  const keys: ReadonlyArray<Key> = decoder.pending === ESC ? [{ _tag: "Escape" }] : []
  return { decoder: emptyDecoder, keys }
}
