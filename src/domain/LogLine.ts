// A daemon log line (DESIGN.md "CLI additions": `<state>/daemon.log`), one per event, in two spellings: the
// plain one written to the file and stdout, `2026-12-02T14:00:00.000Z INFO message | cause: first line`, and
// the JSON one `ccl logs --json` prints, read back from the plain one.

export interface LogEntry {
  readonly at: string
  readonly level: string
  readonly message: string
  readonly cause?: string
}

const CAUSE_MARK = " | cause: "

/** One line, whatever the text held: a multi-line message would read as several entries. */
const oneLine = (text: string) => text.replace(/\r?\n/g, " \\n ")

/** The words of a log call (`Effect.log("a", 1)` logs ["a", 1]) as one text. */
export const messageText = (message: unknown): string => {
  const parts = Array.isArray(message) ? message : [message]
  return parts
    .map((p) =>
      typeof p === "string" ? p : p instanceof Error ? p.message : (JSON.stringify(p) ?? String(p)),
    )
    .join(" ")
}

export const plainLogLine = (entry: LogEntry): string =>
  `${entry.at} ${entry.level} ${oneLine(entry.message)}${entry.cause === undefined ? "" : `${CAUSE_MARK}${oneLine(entry.cause)}`}`

const PLAIN = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) ([A-Z]+) (.*)$/

/** A plain line read back; a line not in that shape (a crash's stack trace on stdout) is kept as the message. */
export const parseLogLine = (line: string): LogEntry | { readonly message: string } => {
  const m = PLAIN.exec(line)
  if (m === null) return { message: line }
  const rest = m[3] ?? ""
  const mark = rest.indexOf(CAUSE_MARK)
  return mark < 0
    ? { at: m[1]!, level: m[2]!, message: rest }
    : { at: m[1]!, level: m[2]!, message: rest.slice(0, mark), cause: rest.slice(mark + CAUSE_MARK.length) }
}
