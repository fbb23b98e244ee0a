// Adds a task (POST /api/tasks): the prompt and, optionally, the frontmatter fields. Empty fields are not sent,
// so the daemon's defaults apply; what it refuses (a bad field, an id taken) is shown under the form.

import type { ComponentChildren } from "preact"
import { useState } from "preact/hooks"
import { usePageApi } from "./context.js"
import type { NewTask } from "./types.js"

const text = (form: FormData, key: string): string | undefined => {
  const v = form.get(key)
  return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined
}

/** Numbers as typed: the daemon says which field is wrong, the page does not second-guess it. */
const number = (form: FormData, key: string): number | undefined => {
  const v = text(form, key)
  return v === undefined ? undefined : Number(v)
}

/** The request body: only the fields the operator filled in. */
const newTask = (form: FormData): NewTask => {
  const body: NewTask = { text: String(form.get("text") ?? "") }
  const set = <K extends keyof NewTask>(key: K, value: NewTask[K] | undefined) => {
    if (value !== undefined) body[key] = value
  }
  set("id", text(form, "id"))
  set("priority", number(form, "priority"))
  set("preferred_ai", text(form, "preferred_ai"))
  const delegation = text(form, "allow_delegation")
  set("allow_delegation", delegation === undefined ? undefined : delegation === "yes")
  set("complexity", text(form, "complexity"))
  if (form.get("needs_claude_code") === "on") body.needs_claude_code = true
  const deps = text(form, "depends_on")
    ?.split(/[\s,]+/)
    .filter((d) => d !== "")
  set("depends_on", deps)
  set("max_attempts", number(form, "max_attempts"))
  set("retry_backoff", text(form, "retry_backoff"))
  set("timeout", text(form, "timeout"))
  return body
}

const Field = (props: {
  readonly label: string
  readonly hint?: string
  readonly children: ComponentChildren
}) => (
  // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child each caller passes in
  <label class="field">
    <span>{props.label}</span>
    {props.children}
    {props.hint !== undefined && <small class="muted">{props.hint}</small>}
  </label>
)

export const AddTaskForm = () => {
  const api = usePageApi()
  const [busy, setBusy] = useState(false)
  const [outcome, setOutcome] = useState<{ readonly ok: boolean; readonly text: string } | null>(null)

  const submit = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    setBusy(true)
    setOutcome(null)
    try {
      const r = await api.post<{ id: string; message: string }>("/api/tasks", newTask(new FormData(form)))
      form.reset()
      setOutcome({ ok: true, text: r.message })
      api.refresh(["queue", "status"])
    } catch (err) {
      setOutcome({ ok: false, text: err instanceof Error ? err.message : String(err) })
    } finally {
      setBusy(false)
    }
  }

  return (
    <details class="add-task" data-testid="add-task">
      <summary>Add a task</summary>
      <form onSubmit={submit} aria-label="Add a task">
        <Field label="Prompt">
          <textarea name="text" required rows={5} data-testid="add-text" />
        </Field>
        <div class="field-grid">
          <Field label="Id" hint="default: generated">
            <input name="id" autoComplete="off" spellcheck={false} data-testid="add-id" />
          </Field>
          <Field label="Priority" hint="higher first">
            <input name="priority" type="number" step={1} inputMode="numeric" />
          </Field>
          <Field label="Preferred AI">
            <select name="preferred_ai">
              <option value="">default</option>
              <option value="claude-code">claude-code</option>
              <option value="claude-api">claude-api</option>
              <option value="gemini">gemini</option>
              <option value="gpu">gpu</option>
            </select>
          </Field>
          <Field label="Allow delegation">
            <select name="allow_delegation">
              <option value="">default</option>
              <option value="yes">yes</option>
              <option value="no">no</option>
            </select>
          </Field>
          <Field label="Complexity">
            <select name="complexity">
              <option value="">default</option>
              <option value="low">low</option>
              <option value="medium">medium</option>
              <option value="high">high</option>
            </select>
          </Field>
          <Field label="Depends on" hint="task ids, comma-separated">
            <input name="depends_on" autoComplete="off" spellcheck={false} />
          </Field>
          <Field label="Max attempts">
            <input name="max_attempts" type="number" min={1} step={1} inputMode="numeric" />
          </Field>
          <Field label="Retry backoff" hint="e.g. 30s">
            <input name="retry_backoff" autoComplete="off" />
          </Field>
          <Field label="Timeout" hint="e.g. 2h">
            <input name="timeout" autoComplete="off" />
          </Field>
        </div>
        <label class="check">
          <input type="checkbox" name="needs_claude_code" /> Needs Claude Code (never delegated)
        </label>
        <div class="form-actions">
          <button type="submit" class="primary" disabled={busy} data-testid="add-submit">
            {busy ? "Adding…" : "Add task"}
          </button>
          {outcome !== null && (
            <span class={outcome.ok ? "note ok" : "note error"} role={outcome.ok ? "status" : "alert"}>
              {outcome.text}
            </span>
          )}
        </div>
      </form>
    </details>
  )
}
