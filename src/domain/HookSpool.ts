import { Either } from "effect"
import { hookPayload } from "./HookPayload.js"
import { type HookEvent, shellQuote } from "./HookSettings.js"

// The hook spool, Maildir style: Claude Code's hook command (a few lines of sh, no Node start) writes the event
// to <state>/hooks/tmp/<name> and renames it into <state>/hooks/new/<name>.json; the daemon reads new/ in name
// order. One file is a header line `ccl-hook/1 <event> <CCL_SESSION>`, then the event's stdin as it came.

/** The folders under the state folder: tmp/ (being written), new/ (complete), bad/ (could not be read). */
export const SPOOL_FOLDER = "hooks"
export const HEADER = "ccl-hook/1"
/** At most this much of a hook's stdin is kept (as the Node relay's STDIN_LIMIT); the rest is cut off. */
export const SPOOL_PAYLOAD_LIMIT = 1024 * 1024
/** A file larger than this was not written by the hook command. */
export const SPOOL_FILE_LIMIT = SPOOL_PAYLOAD_LIMIT + 4096

/**
 * The command the hooks run: the event into the spool of `state`, or of $CCL_STATE (set by the daemon in the
 * sessions it creates, so a home shared by two ccl setups reaches the daemon that runs the session).
 * - Nothing is spooled without CCL_SESSION: the operator's own sessions of the same home concern no daemon.
 * - The payload only ever flows through `head` into the file: never a shell word, never evaluated.
 * - The name: nanoseconds (19 digits until 2286, so name order is time order), the shell's pid and 32 random
 *   bits, so concurrent hooks never collide; the rename into new/ makes the file appear whole.
 * - umask 077: the payload holds prompts and replies (files 0600, a folder made here 0700).
 * - Always exit 0: exit 2 would block Claude Code's turn. The trailing comment marks the command as ccl's
 *   (HookSettings' isCclHook: `hooks install` finds it again).
 */
export const spoolHookCommand = (event: HookEvent, state: string): string =>
  [
    "umask 077",
    '[ -n "$CCL_SESSION" ] || exit 0',
    `d=${shellQuote(state)}`,
    '[ -z "$CCL_STATE" ] || d=$CCL_STATE',
    "d=$d/hooks",
    '[ -d "$d/tmp" ] && [ -d "$d/new" ] || mkdir -p "$d/tmp" "$d/new"',
    "r=$(od -An -N4 -tx4 /dev/urandom)",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh's ${r##* } (od's output without its padding)
    "u=$(date +%s%N)-$$-${r##* }",
    `{ printf '${HEADER} ${event} %s\\n' "$CCL_SESSION"; head -c ${SPOOL_PAYLOAD_LIMIT}; } >"$d/tmp/$u" && mv "$d/tmp/$u" "$d/new/$u.json"`,
    `exit 0 # ccl hook ${event}`,
  ].join("; ")

// The random part may be empty (no /dev/urandom): the pid and nanoseconds still make the name unique.
const NAME = /^(\d{19})-\d+-[0-9a-f]*\.json$/

/**
 * The record a spool file holds, for the HookRecord decoding: the event and session from the header, the time
 * from the name, the payload as the Node relay reads it (JSON, or `{ raw }`: a cut-off payload is kept, not
 * dropped). Left: why the file is not one the hook command wrote.
 */
export const spoolRecord = (name: string, text: string): Either.Either<unknown, string> => {
  const time = NAME.exec(name)?.[1]
  if (time === undefined) return Either.left("not a spool file name")
  const eol = text.indexOf("\n")
  const header = /^ccl-hook\/1 ([A-Za-z]+) (.+)$/.exec(eol < 0 ? "" : text.slice(0, eol))
  if (header === null) return Either.left(`no "${HEADER} EVENT SESSION" header line`)
  return Either.right({
    event: header[1],
    ccl_session: header[2],
    // The first 13 of the 19 digits: milliseconds.
    received_at: new Date(Number(time.slice(0, 13))).toISOString(),
    payload: hookPayload(text.slice(eol + 1)),
  })
}
