// A session's pane as text, read-only: what `tmux capture-pane` shows now, read again every few seconds while
// the dialog is open. Whatever bytes the pane holds are shown as text (plainText), never as markup.

import { useCallback, useEffect, useState } from "preact/hooks"
import { segment } from "./api.js"
import { usePageApi } from "./context.js"
import { clock, plainText } from "./format.js"
import { Modal } from "./Modal.js"
import type { ScreenView } from "./types.js"

const EVERY_MS = 2_000

export const ScreenDialog = (props: { readonly name: string; readonly onClose: () => void }) => {
  const api = usePageApi()
  const [screen, setScreen] = useState<ScreenView | null>(null)
  const [error, setError] = useState<string | null>(null)

  const read = useCallback(async () => {
    try {
      setScreen(await api.get<ScreenView>(`/api/sessions/${segment(props.name)}/screen`))
      setError(null)
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e))
    }
  }, [api, props.name])

  useEffect(() => {
    void read()
    const timer = setInterval(read, EVERY_MS)
    return () => clearInterval(timer)
  }, [read])

  return (
    <Modal title={`Screen of ${props.name}`} onClose={props.onClose} testId="screen-dialog">
      <p class="small muted">
        Read-only: to type, attach with <code>ccl attach {props.name}</code>.{" "}
        {screen !== null && <>Captured at {clock(screen.captured_at)}.</>}
      </p>
      {error !== null && (
        <p class="note error" role="alert">
          {error}
        </p>
      )}
      <pre class="screen" data-testid="screen-text">
        {screen === null ? "…" : plainText(screen.screen)}
      </pre>
    </Modal>
  )
}
