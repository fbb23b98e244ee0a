// One quota window as a bar: used % of the window and when it resets. The width is set through the CSSOM
// (Preact's style object), which the page's Content-Security-Policy allows where a style attribute is refused.

import { until } from "./format.js"
import type { WindowView } from "./types.js"

const toneOf = (used: number) => (used >= 95 ? "bad" : used >= 80 ? "warn" : "ok")

export const QuotaBar = (props: {
  readonly label: string
  readonly window: WindowView | null | undefined
  readonly now: number
  readonly testId: string
}) => {
  const w = props.window
  const used = w === null || w === undefined ? null : Math.max(0, Math.min(100, w.used_percentage))
  return (
    <div class="quota" data-testid={props.testId}>
      <div class="quota-head">
        <span>{props.label}</span>
        <span>{used === null ? "unknown" : `${Math.round(used)}% used`}</span>
      </div>
      <div
        class="bar"
        role="progressbar"
        aria-label={`${props.label} quota used`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={used ?? undefined}
      >
        {used !== null && <div class={`bar-fill ${toneOf(used)}`} style={{ width: `${used}%` }} />}
      </div>
      {w?.resets_at !== null && w?.resets_at !== undefined && (
        <div class="small muted">resets {until(w.resets_at, props.now)}</div>
      )}
    </div>
  )
}
