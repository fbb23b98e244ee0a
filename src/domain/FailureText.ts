import { Cause } from "effect"

// One line that says what failed and why, for any error a daemon step can end with, worded from the error's
// fields: a tagged error alone (`TmuxError`, whose Error message is empty) tells the operator nothing.

const MAX_FIELD = 200

const firstLine = (text: string): string => text.trim().split("\n")[0] ?? ""

const fieldText = (value: unknown): string => {
  const text = typeof value === "string" ? firstLine(value) : (JSON.stringify(value) ?? String(value))
  return text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}...` : text
}

interface Tagged {
  readonly _tag: string
  readonly [key: string]: unknown
}
const isTagged = (e: unknown): e is Tagged =>
  typeof e === "object" && e !== null && typeof (e as { _tag?: unknown })._tag === "string"

/** An error's own message, when it has one (a Data.TaggedError without a `message` field has ""). */
const ownMessage = (e: object): string | undefined => {
  const m = (e as { message?: unknown }).message
  return typeof m === "string" && m.trim() !== "" ? firstLine(m) : undefined
}

/** What failed and why, in one line: known errors worded, others as their tag with their message or fields. */
export const failureText = (error: unknown): string => {
  if (isTagged(error)) {
    const e = error
    switch (e._tag) {
      case "TmuxError":
        return `${fieldText(e.command)} failed (exit ${e.exitCode}): ${fieldText(e.stderr) || "no message"}`
      case "PasteNotLanded":
        return `the pasted prompt never showed up in session ${e.session}`
      case "QueueIOError":
        return `cannot ${e.op} ${e.path}: ${fieldText(e.message)}`
      case "StateFileError":
        return `cannot ${e.op} the state file ${e.file}: ${fieldText(e.message)}`
    }
    const message = ownMessage(e)
    if (message !== undefined) return `${e._tag}: ${message}`
    const fields = Object.entries(e)
      .filter(([k]) => k !== "_tag")
      .map(([k, v]) => `${k}: ${fieldText(v)}`)
    return fields.length === 0 ? e._tag : `${e._tag} (${fields.join(", ")})`
  }
  if (error instanceof Error) {
    const message = ownMessage(error) ?? "(no message)"
    return error.name === "Error" ? message : `${error.name}: ${message}`
  }
  return typeof error === "string" ? firstLine(error) : fieldText(error)
}

/** The first failure (else defect) of a cause in one line; undefined for an empty cause. */
export const causeText = (cause: Cause.Cause<unknown>): string | undefined => {
  if (Cause.isEmpty(cause)) return undefined
  const failures = [...Cause.failures(cause), ...Cause.defects(cause)]
  if (failures.length === 0) return Cause.isInterruptedOnly(cause) ? "interrupted" : undefined
  const more = failures.length > 1 ? ` (and ${failures.length - 1} more)` : ""
  return `${failureText(failures[0])}${more}`
}
