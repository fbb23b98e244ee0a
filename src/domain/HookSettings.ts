/** Claude Code hook events ccl listens to (DESIGN.md "Claude Code hooks"). */
export const HookEvents = ["SessionStart", "UserPromptSubmit", "Stop", "StopFailure", "Notification"] as const
export type HookEvent = (typeof HookEvents)[number]

interface HookCommand {
  type: string
  command?: string
  [key: string]: unknown
}
interface HookGroup {
  matcher?: string
  hooks?: Array<HookCommand>
  [key: string]: unknown
}

/**
 * A ccl hook command written by any earlier install, wherever ccl or its state lived then: the Node relay
 * (`.../ccl.mjs hook EVENT`) or the spool command (HookSpool.ts), which ends in `# ccl hook EVENT`.
 */
const isCclHook = (command: string | undefined, event: string): boolean =>
  command !== undefined && new RegExp(`ccl(\\.mjs)?['"]? hook ${event}$`).test(command)

/**
 * Merges ccl's hook commands into a Claude Code settings object, keeping everything else as it is.
 * Idempotent: an entry already there is left alone; one from an older install (another path) is updated.
 * Returns undefined when `settings` is not a JSON object (nothing should be written then).
 */
export const mergeHookSettings = (
  settings: unknown,
  commandFor: (event: HookEvent) => string,
): { readonly settings: Record<string, unknown>; readonly changed: boolean } | undefined => {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) return undefined
  const out = structuredClone(settings) as Record<string, unknown>
  const hooks = (out.hooks ?? {}) as Record<string, unknown>
  if (hooks === null || typeof hooks !== "object" || Array.isArray(hooks)) return undefined
  let changed = out.hooks === undefined
  for (const event of HookEvents) {
    const wanted = commandFor(event)
    const groups = (Array.isArray(hooks[event]) ? hooks[event] : []) as Array<HookGroup>
    let found = false
    for (const group of groups) {
      for (const hook of group.hooks ?? []) {
        if (hook.command === wanted) found = true
        else if (isCclHook(hook.command, event)) {
          hook.command = wanted
          found = true
          changed = true
        }
      }
    }
    if (!found) {
      groups.push({ hooks: [{ type: "command", command: wanted }] })
      changed = true
    }
    hooks[event] = groups
  }
  out.hooks = hooks
  return { settings: out, changed }
}

/** Quotes a word for sh when it needs it. */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
