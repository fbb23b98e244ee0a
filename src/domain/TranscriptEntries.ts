// Reading a Claude Code transcript (`<home>/projects/<slug>/<id>.jsonl`): the one reader for the daemon (limit
// hits), the simulated agent (a resumed conversation) and the demo (the prompts sent).

/** One transcript line as an object; undefined for a line that is not one (cut, being written, garbage). */
export const transcriptEntry = (line: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Every readable entry of a transcript's text, in order. */
export const transcriptEntries = (jsonl: string): ReadonlyArray<Record<string, unknown>> =>
  jsonl.split("\n").flatMap((line) => {
    const entry = transcriptEntry(line)
    return entry === undefined ? [] : [entry]
  })

/** An entry's message text: a string, or the text blocks of a content array joined by newlines. */
export const messageText = (message: unknown): string | undefined => {
  const content = (message as { content?: unknown } | undefined)?.content
  if (typeof content === "string") return content
  if (!Array.isArray(content)) return undefined
  const texts = content.flatMap((b: { type?: unknown; text?: unknown }) =>
    b?.type === "text" && typeof b.text === "string" ? [b.text] : [],
  )
  return texts.length === 0 ? undefined : texts.join("\n")
}
