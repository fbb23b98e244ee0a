// A modal dialog on the native <dialog> (showModal): focus moves in and is trapped there, Escape closes it and
// focus returns to the button that opened it, with nothing of ours to get wrong.

import type { ComponentChildren } from "preact"
import { useEffect, useId, useRef } from "preact/hooks"

export interface ModalProps {
  readonly title: string
  readonly onClose: () => void
  readonly testId?: string
  readonly children: ComponentChildren
}

export const Modal = ({ title, onClose, testId, children }: ModalProps) => {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  useEffect(() => {
    const dialog = ref.current
    if (dialog !== null && !dialog.open) dialog.showModal()
    return () => dialog?.close()
  }, [])
  return (
    <dialog ref={ref} class="modal" aria-labelledby={titleId} data-testid={testId} onClose={onClose}>
      <div class="modal-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" onClick={() => ref.current?.close()} data-testid="modal-close">
          Close
        </button>
      </div>
      <div class="modal-body">{children}</div>
    </dialog>
  )
}
