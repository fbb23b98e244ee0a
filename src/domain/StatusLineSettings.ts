import { operatorCommandOf } from "./StatusLineCommand.js"

// ccl's statusLine in a Claude Code settings object (`ccl hooks install` / `uninstall`): the operator's own
// statusLine stays inside ccl's command (StatusLineCommand.ts) and comes back whole on uninstall; its other fields
// (padding...) are never touched.

interface StatusLine {
  type?: unknown
  command?: unknown
  [key: string]: unknown
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

export type StatusLineMerge =
  | { readonly _tag: "Merged"; readonly settings: Record<string, unknown>; readonly changed: boolean }
  /** A statusLine ccl cannot run (not a command): left as it is, ccl's not installed. */
  | { readonly _tag: "Kept"; readonly reason: string }

/**
 * Puts ccl's statusLine command into `settings` (a JSON object): `build(operator)` with the operator's command
 * when there is one, or the one an earlier ccl install kept (so running install again never nests ccl in ccl).
 */
export const mergeStatusLine = (
  settings: Record<string, unknown>,
  build: (operator: string | undefined) => string,
): StatusLineMerge => {
  const current = settings.statusLine as StatusLine | undefined
  if (current !== undefined && !(isObject(current) && current.type === "command"))
    return { _tag: "Kept", reason: "its statusLine is not a command" }
  if (current !== undefined && typeof current.command !== "string")
    return { _tag: "Kept", reason: "its statusLine has no command" }
  const old = current?.command as string | undefined
  const kept = old === undefined ? undefined : operatorCommandOf(old)
  const wanted = build(kept === null ? old : kept)
  if (wanted === old) return { _tag: "Merged", settings, changed: false }
  const statusLine = { ...(current ?? {}), type: "command", command: wanted }
  return { _tag: "Merged", settings: { ...settings, statusLine }, changed: true }
}

/**
 * Takes ccl's statusLine out of `settings`: the operator's command back in its place, or no statusLine when there
 * was none. `removed` is false (and `settings` as it was) when the statusLine is not ccl's.
 */
export const removeStatusLine = (
  settings: Record<string, unknown>,
): { readonly settings: Record<string, unknown>; readonly removed: boolean; readonly restored: boolean } => {
  const current = settings.statusLine
  const command = isObject(current) && typeof current.command === "string" ? current.command : undefined
  const operator = command === undefined ? null : operatorCommandOf(command)
  if (operator === null) return { settings, removed: false, restored: false }
  const { statusLine: _, ...rest } = settings
  if (operator === undefined) return { settings: rest, removed: true, restored: false }
  const statusLine = { ...(current as StatusLine), command: operator }
  return { settings: { ...settings, statusLine }, removed: true, restored: true }
}
