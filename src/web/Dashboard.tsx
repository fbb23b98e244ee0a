// The dashboard once the daemon let us in: a header (daemon, active account, live or polling), then the views
// (sessions, nodes on a shared queue, queue, accounts, delegation). Ages on the page tick every second without
// asking the daemon anything.

import { useEffect, useState } from "preact/hooks"
import { AccountsView } from "./AccountsView.js"
import { PageApiContext } from "./context.js"
import { DelegationView } from "./DelegationView.js"
import { age } from "./format.js"
import { NodesView } from "./NodesView.js"
import { QueueView } from "./QueueView.js"
import { SessionsView } from "./SessionsView.js"
import { useDashboard } from "./useDashboard.js"

const FEED_TEXT = { connecting: "connecting…", live: "live", polling: "polling (stream lost)" } as const

const useNow = (everyMs: number) => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

export const Dashboard = (props: {
  readonly token: string | null
  readonly onUnauthorized: () => void
  readonly onForget: () => void
}) => {
  const { data, errors, feed, api } = useDashboard(props.token, props.onUnauthorized)
  const now = useNow(1_000)
  const status = data.status
  return (
    <PageApiContext.Provider value={api}>
      <header class="top">
        <h1>ccl</h1>
        <div class="facts">
          <span>
            account{" "}
            <strong data-testid="active-account">
              {status === undefined ? "…" : (status.account ?? "default")}
            </strong>
          </span>
          {status !== undefined && (
            <span class="muted">
              pid {status.pid}, up {age(status.started_at, now)}
            </span>
          )}
          <span class={`feed ${feed}`} data-testid="feed-state" role="status">
            {FEED_TEXT[feed]}
          </span>
          {props.token !== null && (
            <button type="button" class="quiet" onClick={props.onForget}>
              Forget token
            </button>
          )}
        </div>
      </header>
      {errors.status !== undefined && (
        <p class="note error banner" role="alert">
          {errors.status}
        </p>
      )}
      <main class="grid">
        <div class="column">
          <SessionsView sessions={status?.sessions} now={now} />
          <NodesView nodes={status?.nodes} />
          <QueueView queue={data.queue} error={errors.queue} now={now} />
        </div>
        <div class="column">
          <AccountsView
            accounts={data.accounts}
            failover={status?.failover}
            error={errors.accounts}
            now={now}
          />
          <DelegationView delegation={data.delegation} error={errors.delegation} now={now} />
        </div>
      </main>
    </PageApiContext.Provider>
  )
}
