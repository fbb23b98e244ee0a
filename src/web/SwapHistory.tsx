// The failover's last swaps, newest first (the daemon keeps them oldest first): when, from and to, what came
// of it and why.

import { clock, plainText } from "./format.js"
import type { SwapRecord } from "./types.js"

const SHOWN = 10

export const SwapHistory = (props: { readonly history: ReadonlyArray<SwapRecord> }) => {
  const rows = props.history.slice(-SHOWN).reverse()
  return (
    <>
      <h3>Swap history</h3>
      {rows.length === 0 ? (
        <p class="muted">No swaps yet.</p>
      ) : (
        <div class="scroll">
          <table class="stack" data-testid="swap-history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">From → to</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((h) => (
                <tr key={`${h.started_at}-${h.to}`}>
                  <td data-label="When" title={h.finished_at}>
                    {clock(h.finished_at)}
                  </td>
                  <td data-label="From → to">
                    {h.from ?? "-"} → {h.to ?? "-"}
                  </td>
                  <td data-label="Outcome">
                    <span class={`badge ${h.outcome === "swapped" ? "ok" : "warn"}`}>{h.outcome}</span>
                  </td>
                  <td data-label="Reason" class="small">
                    {plainText(h.message ?? h.reason)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}
