// Imports nothing: the lite hook relay (programs/HookRelayLite.ts) bundles this without Effect.

/** Parses a hook's stdin: Claude Code's JSON object, or the raw text when it is not JSON (kept, never dropped). */
export const hookPayload = (stdin: string): unknown => {
  try {
    return JSON.parse(stdin)
  } catch {
    return { raw: stdin.slice(0, 64 * 1024) }
  }
}
