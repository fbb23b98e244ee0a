// The queue's three lists: pending in dispatch order (with what a blocked task waits for), active with its
// session, and the recently finished with how they ended. Task ids open the task; cancel and retry act on it.

import { ActionButton } from "./ActionButton.js"
import { segment } from "./api.js"
import { usePageApi } from "./context.js"
import { age, clock, money, plainText } from "./format.js"
import type { QueueView } from "./types.js"

type Open = (id: string) => void

const TaskLink = ({ id, open }: { readonly id: string; readonly open: Open }) => (
  <button type="button" class="link mono" onClick={() => open(id)} aria-label={`Show task ${id}`}>
    {id}
  </button>
)

const Title = ({ text }: { readonly text: string }) => <span class="title">{plainText(text)}</span>

/** The task's cell: its id (opens it) and its title. */
const TaskCell = ({
  id,
  title,
  open,
}: {
  readonly id: string
  readonly title: string
  readonly open: Open
}) => (
  <td data-label="Task">
    <TaskLink id={id} open={open} />
    <Title text={title} />
  </td>
)

/** A table's header: "Task", the given columns, and the unlabelled actions column. */
const Head = ({ columns }: { readonly columns: ReadonlyArray<string> }) => (
  <thead>
    <tr>
      {["Task", ...columns].map((c) => (
        <th key={c} scope="col">
          {c}
        </th>
      ))}
      <th scope="col">
        <span class="sr-only">Actions</span>
      </th>
    </tr>
  </thead>
)

const CancelButton = ({ id }: { readonly id: string }) => {
  const api = usePageApi()
  return (
    <ActionButton
      label="Cancel"
      confirm="Really cancel?"
      ariaLabel={`Cancel ${id}`}
      variant="danger"
      testId={`cancel-${id}`}
      run={async () => {
        const r = await api.post<{ message: string }>(`/api/tasks/${segment(id)}/cancel`, {})
        api.refresh(["queue", "status", "delegation"])
        return r.message
      }}
    />
  )
}

const RetryButton = ({ id }: { readonly id: string }) => {
  const api = usePageApi()
  return (
    <ActionButton
      label="Retry"
      ariaLabel={`Retry ${id}`}
      testId={`retry-${id}`}
      run={async () => {
        const r = await api.post<{ message: string }>(`/api/tasks/${segment(id)}/retry`, {})
        api.refresh(["queue", "status"])
        return r.message
      }}
    />
  )
}

export const PendingTable = (props: { readonly queue: QueueView; readonly open: Open }) =>
  props.queue.pending.length === 0 ? (
    <p class="muted">Nothing pending.</p>
  ) : (
    <div class="scroll">
      <table class="stack" data-testid="queue-pending">
        <Head columns={["Priority", "Waiting for", "Queued"]} />
        <tbody>
          {props.queue.pending.map((t) => (
            <tr key={t.id} data-testid="task-row" data-task={t.id}>
              <TaskCell id={t.id} title={t.title} open={props.open} />
              <td data-label="Priority">{t.priority}</td>
              <td data-label="Waiting for">
                {t.waiting === null ? <span class="muted">ready</span> : plainText(t.waiting)}
              </td>
              <td data-label="Queued" title={t.modified_at}>
                {clock(t.modified_at)}
              </td>
              <td data-label="" class="actions">
                <CancelButton id={t.id} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

export const ActiveTable = (props: {
  readonly queue: QueueView
  readonly open: Open
  readonly now: number
}) =>
  props.queue.active.length === 0 ? (
    <p class="muted">Nothing running.</p>
  ) : (
    <div class="scroll">
      <table class="stack" data-testid="queue-active">
        <Head columns={["Session", "Attempt", "Running for"]} />
        <tbody>
          {props.queue.active.map((t) => (
            <tr key={t.id} data-testid="task-row" data-task={t.id}>
              <TaskCell id={t.id} title={t.title} open={props.open} />
              <td data-label="Session" class="mono">
                {t.node !== undefined ? `on ${t.node}` : (t.session ?? "delegated")}
              </td>
              <td data-label="Attempt">{t.attempt ?? "-"}</td>
              <td data-label="Running for" title={t.since ?? ""}>
                {age(t.since, props.now)}
              </td>
              <td data-label="" class="actions">
                {/* Another node's task is cancelled by that node (its own dashboard or ccl there). */}
                {t.node === undefined && <CancelButton id={t.id} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )

export const RecentTable = (props: { readonly queue: QueueView; readonly open: Open }) =>
  props.queue.recent.length === 0 ? (
    <p class="muted">Nothing finished yet.</p>
  ) : (
    <div class="scroll">
      <table class="stack" data-testid="queue-recent">
        <Head columns={["Result", "Finished", "Route", "Cost"]} />
        <tbody>
          {props.queue.recent.map((t) => (
            <tr key={t.id} data-testid="task-row" data-task={t.id} data-state={t.state}>
              <TaskCell id={t.id} title={t.title} open={props.open} />
              <td data-label="Result">
                <span class={`badge ${t.state === "done" ? "ok" : "bad"}`}>{t.status ?? t.state}</span>
                {(t.error ?? t.cause) !== null && (
                  <div class="small error-text">{plainText(t.error ?? t.cause ?? "")}</div>
                )}
              </td>
              <td data-label="Finished" title={t.finished_at}>
                {clock(t.finished_at)}
              </td>
              <td data-label="Route">
                {t.route ?? "-"}
                {t.provider !== null && <div class="small muted">{t.provider}</div>}
              </td>
              <td data-label="Cost">{money(t.cost)}</td>
              <td data-label="" class="actions">
                {t.state === "failed" && <RetryButton id={t.id} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
