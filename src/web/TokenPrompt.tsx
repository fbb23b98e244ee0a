// Asked once per tab when the daemon wants a token (CCL_API_TOKEN): the token is checked against the daemon
// before anything is shown, and kept in sessionStorage only (api.ts).

import { useEffect, useRef, useState } from "preact/hooks"

export const TokenPrompt = (props: {
  readonly error: string | null
  readonly submit: (token: string) => Promise<void>
}) => {
  const [busy, setBusy] = useState(false)
  const input = useRef<HTMLInputElement>(null)
  // The token is all this page asks for: the cursor waits in its field, again after a refusal.
  useEffect(() => input.current?.focus(), [props.error])
  const onSubmit = async (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const token = String(new FormData(form).get("token") ?? "").trim()
    setBusy(true)
    try {
      await props.submit(token)
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="token-page">
      <form
        class="panel token-form"
        onSubmit={onSubmit}
        data-testid="token-prompt"
        aria-labelledby="token-title"
      >
        <h1 id="token-title">ccl dashboard</h1>
        <p>
          This daemon asks for its API token: the value of <code>CCL_API_TOKEN</code> it was started with. It
          is kept in this tab only, until you close it.
        </p>
        <label class="field">
          <span>API token</span>
          <input
            name="token"
            type="password"
            autoComplete="current-password"
            required
            ref={input}
            data-testid="token-input"
          />
        </label>
        {props.error !== null && (
          <p class="note error" role="alert" data-testid="token-error">
            {props.error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy} data-testid="token-submit">
          {busy ? "Checking…" : "Open the dashboard"}
        </button>
      </form>
    </main>
  )
}
