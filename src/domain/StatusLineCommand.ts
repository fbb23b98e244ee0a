import { shellQuote } from "./HookSettings.js"
import { HEADER, SPOOL_PAYLOAD_LIMIT } from "./HookSpool.js"

// The statusLine command `ccl hooks install` puts in an account's settings.json: Claude Code runs it with its
// statusline JSON on stdin (after each turn, debounced) and shows what it prints. A few lines of sh, no Node
// start: the JSON goes into the hook spool as a `StatusLine` record (domain/HookSpool.ts), the operator's own
// statusLine command (kept in the first word, `o=...`) runs with the same stdin and prints first, then one line of
// ccl's own: `ccl main · 5h 42% · 7d 10%` (the windows Claude Code reported, read by sed: no jq needed).

/** The spool's event name for a statusline record. */
export const STATUS_LINE_EVENT = "StatusLine"
/** How the command ends: marks it as ccl's (install finds it again, uninstall takes it out). */
const MARK = "# ccl statusline"

// The used_percentage of one window: the JSON on one line, then `"<window>": { ... "used_percentage": N`.
const percentOf = `p() { printf '%s' "$j" | sed -n "s/.*\\"$1\\"[[:space:]]*:[[:space:]]*{[^}]*\\"used_percentage\\"[[:space:]]*:[[:space:]]*\\([0-9][0-9.]*\\).*/\\1/p"; }`

/**
 * The command for `account`'s home, spooling into `state` (or $CCL_STATE, as the hooks), running `operator`'s
 * command first when there was one. The payload only ever flows through printf '%s' and pipes: never a shell word.
 * Nothing is spooled outside ccl's sessions (no CCL_SESSION); the line is printed anyway. Always exit 0.
 */
export const statusLineCommand = (account: string, state: string, operator: string | undefined): string =>
  [
    `o=${shellQuote(operator ?? "")}`,
    `a=${shellQuote(account)}`,
    "umask 077",
    `in=$(head -c ${SPOOL_PAYLOAD_LIMIT})`,
    [
      'if [ -n "$CCL_SESSION" ]; then',
      `d=${shellQuote(state)};`,
      '[ -z "$CCL_STATE" ] || d=$CCL_STATE;',
      "d=$d/hooks;",
      '{ [ -d "$d/tmp" ] && [ -d "$d/new" ]; } || mkdir -p "$d/tmp" "$d/new";',
      "r=$(od -An -N4 -tx4 /dev/urandom);",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: sh's ${r##* } (od's output without its padding)
      "u=$(date +%s%N)-$$-${r##* };",
      `printf '${HEADER} ${STATUS_LINE_EVENT} %s\\n%s\\n' "$CCL_SESSION" "$in" >"$d/tmp/$u" && mv "$d/tmp/$u" "$d/new/$u.json";`,
      "fi",
    ].join(" "),
    `[ -z "$o" ] || printf '%s\\n' "$in" | sh -c "$o"`,
    `j=$(printf '%s' "$in" | tr -d '\\n\\r')`,
    percentOf,
    'l="ccl $a"; f=$(p five_hour); s=$(p seven_day)',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: sh's ${f%%.*} (the whole percent)
    '[ -z "$f" ] || l="$l · 5h ${f%%.*}%"; [ -z "$s" ] || l="$l · 7d ${s%%.*}%"',
    `printf '%s\\n' "$l"`,
    `exit 0 ${MARK}`,
  ].join("; ")

const OPERATOR_WORD = /^o=('(?:[^']|'\\'')*'|[A-Za-z0-9_./:=@%+-]*); a=/

/**
 * What a ccl statusLine command keeps of the operator's: their command (undefined when there was none); null when
 * `command` is not ccl's.
 */
export const operatorCommandOf = (command: string): string | undefined | null => {
  if (!command.endsWith(MARK)) return null
  const word = OPERATOR_WORD.exec(command)?.[1]
  if (word === undefined) return null
  const text = word.startsWith("'") ? word.slice(1, -1).replace(/'\\''/g, "'") : word
  return text === "" ? undefined : text
}
