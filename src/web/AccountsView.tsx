// The accounts in failover order: which is active, each one's quota windows and cooldown, and the operator's
// levers: swap (to the next account or a chosen one), clear cooldowns, pause or resume dispatching.

import { ActionButton } from "./ActionButton.js"
import { usePageApi } from "./context.js"
import { until } from "./format.js"
import { QuotaBar } from "./QuotaBar.js"
import { SwapHistory } from "./SwapHistory.js"
import type { AccountView, FailoverView } from "./types.js"

const Pause = ({
  failover,
  now,
}: {
  readonly failover: FailoverView | null | undefined
  readonly now: number
}) => {
  if (failover === null || failover === undefined) return null
  if (failover.paused_by_operator === true)
    return (
      <p class="note warn" data-testid="dispatch-paused">
        Dispatching paused by the operator: tasks in flight carry on, no new ones start.
      </p>
    )
  if (failover.paused_until !== null)
    return (
      <p class="note warn" data-testid="dispatch-paused">
        Every account is cooling down: dispatching waits until {until(failover.paused_until, now)}.
      </p>
    )
  return null
}

const AccountCard = (props: { readonly account: AccountView; readonly now: number }) => {
  const api = usePageApi()
  const a = props.account
  const refresh = () => api.refresh(["status", "accounts"])
  return (
    <li class={a.active ? "account active" : "account"} data-testid="account" data-account={a.name}>
      <div class="account-head">
        <strong>{a.name}</strong>
        {a.active && <span class="badge ok">active</span>}
        {a.cooldown_until !== null && <span class="badge warn">cooling down</span>}
      </div>
      <div class="small muted mono" title={a.home}>
        {a.home}
      </div>
      <QuotaBar label="5 h" window={a.quota?.five_hour} now={props.now} testId="quota-5h" />
      <QuotaBar label="7 d" window={a.quota?.seven_day} now={props.now} testId="quota-7d" />
      {a.cooldown_until !== null && (
        <p class="small">Cooling down until {until(a.cooldown_until, props.now)}</p>
      )}
      <div class="button-row">
        {!a.active && (
          <ActionButton
            label="Swap to this"
            ariaLabel={`Swap to ${a.name}`}
            confirm={`Swap to ${a.name}?`}
            testId={`swap-to-${a.name}`}
            run={async () => {
              const r = await api.post<{ message: string }>("/api/failover", { to: a.name })
              refresh()
              return r.message
            }}
          />
        )}
        {a.cooldown_until !== null && (
          <ActionButton
            label="Clear cooldown"
            ariaLabel={`Clear the cooldown of ${a.name}`}
            testId={`clear-${a.name}`}
            run={async () => {
              const r = await api.post<{ message: string }>("/api/failover/clear", { account: a.name })
              refresh()
              return r.message
            }}
          />
        )}
      </div>
    </li>
  )
}

export const AccountsView = (props: {
  readonly accounts: ReadonlyArray<AccountView> | undefined
  readonly failover: FailoverView | null | undefined
  readonly error: string | undefined
  readonly now: number
}) => {
  const api = usePageApi()
  const f = props.failover
  const refresh = () => api.refresh(["status", "accounts"])
  const paused = f?.paused_by_operator === true
  return (
    <section class="panel" aria-labelledby="accounts-title" data-testid="accounts">
      <h2 id="accounts-title">Accounts</h2>
      {props.error !== undefined && (
        <p class="note error" role="alert">
          {props.error}
        </p>
      )}
      <Pause failover={f} now={props.now} />
      {f?.swapping === true && <p class="note">Swapping accounts…</p>}
      <div class="button-row">
        <ActionButton
          label="Swap to next"
          confirm="Swap now?"
          testId="swap-next"
          run={async () => {
            const r = await api.post<{ message: string }>("/api/failover", {})
            refresh()
            return r.message
          }}
        />
        <ActionButton
          label="Clear cooldowns"
          testId="clear-cooldowns"
          run={async () => {
            const r = await api.post<{ message: string }>("/api/failover/clear", {})
            refresh()
            return r.message
          }}
        />
        <ActionButton
          label={paused ? "Resume dispatching" : "Pause dispatching"}
          testId={paused ? "dispatch-resume" : "dispatch-pause"}
          variant={paused ? "primary" : undefined}
          run={async () => {
            const r = await api.post<{ message: string }>(`/api/dispatch/${paused ? "resume" : "pause"}`, {})
            refresh()
            return r.message
          }}
        />
      </div>
      {props.accounts === undefined ? (
        <p class="muted">Loading…</p>
      ) : (
        <ul class="accounts">
          {props.accounts.map((a) => (
            <AccountCard key={a.name} account={a} now={props.now} />
          ))}
        </ul>
      )}
      {f !== null && f !== undefined && <SwapHistory history={f.history} />}
    </section>
  )
}
