// Delegation to secutools: off without SECUTOOLS_API_KEY; else its counters and the jobs in flight.

import { age } from "./format.js"
import type { DelegationView as Delegation } from "./types.js"

const COUNTERS = ["submitted", "completed", "failed", "active", "retries", "submit_errors"] as const

export const DelegationView = (props: {
  readonly delegation: Delegation | undefined
  readonly error: string | undefined
  readonly now: number
}) => {
  const d = props.delegation
  return (
    <section class="panel" aria-labelledby="delegation-title" data-testid="delegation">
      <h2 id="delegation-title">Delegation</h2>
      {props.error !== undefined && (
        <p class="note error" role="alert">
          {props.error}
        </p>
      )}
      {d === undefined ? (
        <p class="muted">Loading…</p>
      ) : !d.enabled ? (
        <p class="muted">Off: no SECUTOOLS_API_KEY, every task runs in a local session.</p>
      ) : (
        <>
          <dl class="counts">
            {COUNTERS.map((c) => (
              <div key={c} class="count">
                <dt>{c.replace("_", " ")}</dt>
                <dd data-testid={`delegation-${c}`}>{d.counters[c]}</dd>
              </div>
            ))}
          </dl>
          {d.active.length === 0 ? (
            <p class="muted">No job in flight.</p>
          ) : (
            <div class="scroll">
              <table class="stack" data-testid="delegation-jobs">
                <thead>
                  <tr>
                    <th scope="col">Task</th>
                    <th scope="col">Job</th>
                    <th scope="col">Provider</th>
                    <th scope="col">Submitted</th>
                  </tr>
                </thead>
                <tbody>
                  {d.active.map((j) => (
                    <tr key={j.task_id}>
                      <td data-label="Task" class="mono">
                        {j.task_id}
                      </td>
                      <td data-label="Job" class="mono">
                        {j.job_id ?? "submitting"}
                      </td>
                      <td data-label="Provider">{j.provider}</td>
                      <td data-label="Submitted" title={j.submitted_at}>
                        {age(j.submitted_at, props.now)} ago
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  )
}
