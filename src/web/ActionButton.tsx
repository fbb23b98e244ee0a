// A button that calls the daemon and says what came of it beside itself: the daemon's error inline (role=alert),
// or its message for a few seconds. `confirm` asks for a second click first, for what is not undone by a click
// (cancelling a task interrupts its agent).

import { useEffect, useRef, useState } from "preact/hooks"

export interface ActionButtonProps {
  readonly label: string
  /** Runs the action; the text it returns (the daemon's `message`) is shown briefly. */
  readonly run: () => Promise<string | undefined>
  /** The label of the second click, e.g. `Really cancel?`. */
  readonly confirm?: string | undefined
  readonly ariaLabel?: string | undefined
  readonly testId?: string | undefined
  readonly variant?: "danger" | "primary" | undefined
  readonly disabled?: boolean | undefined
}

const SHOW_MS = 6_000

export const ActionButton = (props: ActionButtonProps) => {
  const [busy, setBusy] = useState(false)
  const [arming, setArming] = useState(false)
  const [outcome, setOutcome] = useState<{ readonly ok: boolean; readonly text: string } | null>(null)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  useEffect(() => () => clearTimeout(timer.current), [])

  const later = (f: () => void) => {
    clearTimeout(timer.current)
    timer.current = setTimeout(f, SHOW_MS)
  }

  const click = async () => {
    if (props.confirm !== undefined && !arming) {
      setArming(true)
      setOutcome(null)
      later(() => setArming(false))
      return
    }
    setArming(false)
    setBusy(true)
    setOutcome(null)
    try {
      const text = await props.run()
      setOutcome(text === undefined ? null : { ok: true, text })
      later(() => setOutcome(null))
    } catch (e) {
      clearTimeout(timer.current)
      setOutcome({ ok: false, text: e instanceof Error ? e.message : String(e) })
    } finally {
      setBusy(false)
    }
  }

  const label = arming ? props.confirm! : props.label
  return (
    <span class="action">
      <button
        type="button"
        class={[props.variant ?? "", arming ? "arming" : ""].join(" ").trim() || undefined}
        disabled={busy || props.disabled === true}
        aria-busy={busy}
        aria-label={arming || props.ariaLabel === undefined ? label : props.ariaLabel}
        data-testid={props.testId}
        onClick={click}
      >
        {busy ? `${props.label}…` : label}
      </button>
      {outcome !== null && (
        <span class={outcome.ok ? "note ok" : "note error"} role={outcome.ok ? "status" : "alert"}>
          {outcome.text}
        </span>
      )}
    </span>
  )
}
