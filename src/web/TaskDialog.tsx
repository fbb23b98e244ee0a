// One task as written (frontmatter and prompt) and, once filed, its result footer's fields. The text is shown
// as text: a prompt is free markdown and may hold anything, markup and terminal bytes included.

import { useEffect, useState } from "preact/hooks"
import { segment } from "./api.js"
import { usePageApi } from "./context.js"
import { plainText } from "./format.js"
import { Modal } from "./Modal.js"
import type { TaskDetail } from "./types.js"

const show = (value: unknown): string =>
  typeof value === "string" ? value : value === null ? "-" : JSON.stringify(value)

export const TaskDialog = (props: { readonly id: string; readonly onClose: () => void }) => {
  const api = usePageApi()
  const [task, setTask] = useState<TaskDetail | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    api
      .get<TaskDetail>(`/api/tasks/${segment(props.id)}`)
      .then(setTask, (e: unknown) => setError(e instanceof Error ? e.message : String(e)))
  }, [api, props.id])

  return (
    <Modal title={`Task ${props.id}`} onClose={props.onClose} testId="task-dialog">
      {error !== null && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
      {task === null ? (
        error === null && <p class="muted">Loading…</p>
      ) : (
        <>
          <p>
            <span class="badge">{task.state}</span>
            {task.delegated && <span class="badge busy">delegated</span>}
          </p>
          <pre class="screen" data-testid="task-text">
            {plainText(task.text)}
          </pre>
          {task.result !== null && (
            <>
              <h3>Result</h3>
              <dl class="fields" data-testid="task-result">
                {Object.entries(task.result).map(([k, v]) => (
                  <div key={k}>
                    <dt>{k}</dt>
                    <dd>{plainText(show(v))}</dd>
                  </div>
                ))}
              </dl>
            </>
          )}
        </>
      )}
    </Modal>
  )
}
