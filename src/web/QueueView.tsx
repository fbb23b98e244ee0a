// The queue: counts by state, the form that adds a task, then pending, active and recently finished tasks.

import { useState } from "preact/hooks"
import { AddTaskForm } from "./AddTaskForm.js"
import { ActiveTable, PendingTable, RecentTable } from "./QueueTables.js"
import { TaskDialog } from "./TaskDialog.js"
import type { QueueView as Queue } from "./types.js"

const STATES = ["pending", "active", "done", "failed", "delegated"] as const

export const QueueView = (props: {
  readonly queue: Queue | undefined
  readonly error: string | undefined
  readonly now: number
}) => {
  const [open, setOpen] = useState<string | null>(null)
  const queue = props.queue
  return (
    <section class="panel" aria-labelledby="queue-title" data-testid="queue">
      <h2 id="queue-title">Queue</h2>
      {props.error !== undefined && (
        <p class="note error" role="alert">
          {props.error}
        </p>
      )}
      {queue !== undefined && (
        <dl class="counts" data-testid="queue-counts">
          {STATES.map((s) => (
            <div key={s} class={`count ${s}`} data-state={s}>
              <dt>{s}</dt>
              <dd data-testid={`count-${s}`}>{queue.counts[s]}</dd>
            </div>
          ))}
        </dl>
      )}
      <AddTaskForm />
      {queue === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <>
          <h3>Pending</h3>
          <PendingTable queue={queue} open={setOpen} />
          <h3>Active</h3>
          <ActiveTable queue={queue} open={setOpen} now={props.now} />
          <h3>Recently finished</h3>
          <RecentTable queue={queue} open={setOpen} />
        </>
      )}
      {open !== null && <TaskDialog id={open} onClose={() => setOpen(null)} />}
    </section>
  )
}
