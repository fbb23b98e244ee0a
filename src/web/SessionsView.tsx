// The sessions: one row each, in the daemon's order. A session's name is a button (click, or Enter on it) that
// opens its pane's current screen.

import { useState } from "preact/hooks"
import { age } from "./format.js"
import { ScreenDialog } from "./ScreenDialog.js"
import type { SessionView } from "./types.js"

/** The five states an operator tells apart; the daemon's own phase and state stay in the tooltip. */
const stateOf = (s: SessionView): { readonly label: string; readonly tone: string } => {
  if (s.needs_operator !== undefined && s.needs_operator !== null)
    return { label: "needs operator", tone: "bad" }
  switch (s.phase) {
    case "working":
    case "resuming":
      return { label: "working", tone: "busy" }
    case "limited":
      return { label: "limited", tone: "warn" }
    case "dead":
    case "shell":
      return { label: "dead", tone: "bad" }
    default:
      return { label: "idle", tone: "idle" }
  }
}

export const SessionsView = (props: {
  readonly sessions: ReadonlyArray<SessionView> | undefined
  readonly now: number
}) => {
  const [open, setOpen] = useState<string | null>(null)
  const sessions = props.sessions
  return (
    <section class="panel" aria-labelledby="sessions-title" data-testid="sessions">
      <h2 id="sessions-title">Sessions</h2>
      {sessions === undefined ? (
        <p class="muted">Loading…</p>
      ) : sessions.length === 0 ? (
        <p class="muted">No sessions.</p>
      ) : (
        <div class="scroll">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Kind</th>
                <th scope="col">Account</th>
                <th scope="col">State</th>
                <th scope="col">Task</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => {
                const state = stateOf(s)
                return (
                  <tr
                    key={s.name}
                    class="clickable"
                    data-testid="session-row"
                    data-session={s.name}
                    onClick={() => setOpen(s.name)}
                  >
                    <th scope="row" data-label="Name">
                      <button
                        type="button"
                        class="link"
                        aria-label={`Show the screen of ${s.name}`}
                        onClick={(e) => {
                          e.stopPropagation()
                          setOpen(s.name)
                        }}
                      >
                        {s.name}
                      </button>
                    </th>
                    <td data-label="Kind">{s.kind}</td>
                    <td data-label="Account" data-testid="session-account">
                      {s.account ?? "-"}
                    </td>
                    <td data-label="State">
                      <span
                        class={`badge ${state.tone}`}
                        title={`phase ${s.phase}, state ${s.state} (${s.decided_by})`}
                        data-testid="session-state"
                      >
                        {state.label}
                      </span>
                      {s.needs_operator !== undefined && s.needs_operator !== null && (
                        <div class="small">{s.needs_operator}</div>
                      )}
                    </td>
                    <td data-label="Task" class="mono">
                      {s.task ?? "-"}
                      {s.task !== null && s.attempt !== null && s.attempt > 1 && (
                        <span class="muted"> (attempt {s.attempt})</span>
                      )}
                    </td>
                    <td data-label="Since" title={s.since}>
                      {age(s.since, props.now)}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
      {open !== null && <ScreenDialog name={open} onClose={() => setOpen(null)} />}
    </section>
  )
}
