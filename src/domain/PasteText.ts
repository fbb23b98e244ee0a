/**
 * Makes task text safe to paste into a Claude Code pane: ESC and the other C0 control bytes (and DEL) are
 * removed, except newline and tab (tmux before 3.7 lets an embedded `ESC[201~` end the bracketed paste early);
 * CRLF becomes LF; and the text never ends with a backslash, which Claude Code would read as "newline" instead
 * of "submit" (a space is added after it).
 */
export const sanitizePaste = (text: string): string => {
  const cleaned = text
    .replace(/\r\n?/g, "\n")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "")
    .replace(/\s+$/, "")
  return cleaned.endsWith("\\") ? `${cleaned} ` : cleaned
}

/** tmux target for session commands: `=NAME` matches NAME exactly, not NAME-2. */
export const sessionTarget = (name: string): string => `=${name}`

/** tmux target for pane commands (capture, send, paste): tmux 3.3 needs the trailing colon. */
export const paneTarget = (name: string): string => `=${name}:`

/** A session name tmux accepts and that cannot be read as a target expression. */
export const isSessionName = (name: string): boolean => /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(name)
