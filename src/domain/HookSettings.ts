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

/**
 * Takes out of a Claude Code settings object what `mergeHookSettings` put there: every ccl hook command (any
 * install, any path), the groups and event lists left empty by that, and `hooks` itself when nothing else is in
 * it. The operator's own hooks, groups and settings stay exactly as they were. Undefined when `settings` is not a
 * JSON object with (if any) a `hooks` object.
 */
export const removeHookSettings = (
  settings: unknown,
): { readonly settings: Record<string, unknown>; readonly removed: number } | undefined => {
  if (settings === null || typeof settings !== "object" || Array.isArray(settings)) return undefined
  const out = structuredClone(settings) as Record<string, unknown>
  if (out.hooks === undefined) return { settings: out, removed: 0 }
  const hooks = out.hooks as Record<string, unknown>
  if (hooks === null || typeof hooks !== "object" || Array.isArray(hooks)) return undefined
  let removed = 0
  for (const event of HookEvents) {
    if (!Array.isArray(hooks[event])) continue
    const groups = hooks[event] as Array<HookGroup>
    const kept: Array<HookGroup> = []
    for (const group of groups) {
      if (!Array.isArray(group?.hooks)) {
        kept.push(group)
        continue
      }
      const own = group.hooks.filter((h) => !isCclHook(h?.command, event))
      removed += group.hooks.length - own.length
      // A group only ccl's hooks were in goes with them; one the operator shares keeps its other hooks.
      if (own.length < group.hooks.length && own.length === 0) continue
      kept.push(own.length === group.hooks.length ? group : { ...group, hooks: own })
    }
    if (kept.length === 0 && groups.length > 0) delete hooks[event]
    else hooks[event] = kept
  }
  if (removed > 0 && Object.keys(hooks).length === 0) delete out.hooks
  return { settings: out, removed }
}
