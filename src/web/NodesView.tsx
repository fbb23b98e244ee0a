// The daemons sharing a Postgres queue, this one included: each node's last heartbeat, its active account, its
// sessions (busy of all) and the tasks it holds. Shown only on a shared queue (the status has `nodes`).

import { duration } from "./format.js"
import type { NodeView } from "./types.js"

export const NodesView = (props: { readonly nodes: ReadonlyArray<NodeView> | undefined }) => {
  const nodes = props.nodes
  if (nodes === undefined) return null
  return (
    <section class="panel" aria-labelledby="nodes-title" data-testid="nodes">
      <h2 id="nodes-title">Nodes</h2>
      {nodes.length === 0 ? (
        <p class="muted">No node has a heartbeat on this queue yet.</p>
      ) : (
        <div class="scroll">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Node</th>
                <th scope="col">Heartbeat</th>
                <th scope="col">Account</th>
                <th scope="col">Sessions</th>
                <th scope="col">Holds</th>
              </tr>
            </thead>
            <tbody>
              {nodes.map((n) => (
                <tr key={n.name} data-testid="node-row" data-node={n.name}>
                  <td data-label="Node" class="mono" title={`pid ${n.pid}, started ${n.started_at}`}>
                    {n.name}
                  </td>
                  <td data-label="Heartbeat">{duration(n.heartbeat_age_ms)} ago</td>
                  <td data-label="Account">{n.active_account ?? "-"}</td>
                  <td data-label="Sessions" title={n.sessions.map((s) => s.name).join(", ")}>
                    {n.sessions.filter((s) => s.task !== null).length} busy of {n.sessions.length}
                  </td>
                  <td data-label="Holds" class="mono" data-testid="node-tasks">
                    {n.tasks.length === 0 ? "-" : n.tasks.join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
