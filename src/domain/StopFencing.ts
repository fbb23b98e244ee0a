// Which dispatch a Stop hook belongs to (issue 11, "fencing by token"), decided by ids, never by timing windows.

/** What fencing needs of a session: its task in hand (if any) and what it knows of turns already filed. */
export interface FencingView {
  readonly working: boolean
  readonly task: { readonly sentAt: number; readonly promptId?: string | undefined } | undefined
  /** Turns filed from the screen whose Stop has not come and whose prompt id was never known. */
  readonly owedStops: number
  /** Prompt ids of turns already filed. */
  readonly filedPrompts: ReadonlyArray<string>
}

export interface StopEvent {
  /** The hook's `prompt_id` (Claude Code 2.1: the UserPromptSubmit of the same turn has it too). */
  readonly promptId: string | undefined
  /** When the hook ran (ms). */
  readonly at: number
}

/**
 * - `file`: the Stop of the task in hand: file it with its reply.
 * - `late`: the Stop of a turn already filed (from the screen); `paysOwed` when it settles an owed Stop.
 * - `none`: no task it could belong to.
 *
 * A Stop naming the prompt id bound to the task (by its UserPromptSubmit) is that task's, whatever the timing; one
 * naming a filed prompt, or another prompt while the task's is known, is late. Without ids, the Stops owed by
 * screen-filed turns come first (one agent runs its hooks in order), and a Stop from before the prompt was sent
 * is never the task's.
 */
export const stopVerdict = (
  view: FencingView,
  stop: StopEvent,
):
  | { readonly kind: "file" }
  | { readonly kind: "late"; readonly paysOwed: boolean }
  | { readonly kind: "none" } => {
  const { task } = view
  if (stop.promptId !== undefined) {
    if (view.filedPrompts.includes(stop.promptId)) return { kind: "late", paysOwed: false }
    if (task?.promptId !== undefined) {
      if (task.promptId === stop.promptId) return view.working ? { kind: "file" } : { kind: "none" }
      return { kind: "late", paysOwed: view.owedStops > 0 }
    }
  }
  if (view.owedStops > 0) return { kind: "late", paysOwed: true }
  if (task === undefined || !view.working || stop.at < task.sentAt) return { kind: "none" }
  return { kind: "file" }
}
