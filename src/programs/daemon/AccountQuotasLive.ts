import { Clock, Effect, Layer } from "effect"
import { QUOTA_WINDOWS } from "../../domain/StatusLineQuota.js"
import { type AccountQuota, AccountQuotas, type WindowQuota } from "../../services/AccountQuotas.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"

const sameWindow = (a: WindowQuota | null, b: WindowQuota) =>
  a !== null && a.used_percentage === b.used_percentage && a.resets_at === b.resets_at

/**
 * Per-account quota in memory: not persisted, since every statusline refresh of a session reports it again (a
 * restarted daemon knows an account's quota from its sessions' next turn). A report replaces the windows it carries
 * and keeps the others; each window whose value changed is published as a `quota` event.
 */
export const AccountQuotasLive = Layer.effect(
  AccountQuotas,
  Effect.gen(function* () {
    const events = yield* DaemonEvents
    const byAccount = new Map<string, AccountQuota>()
    return AccountQuotas.of({
      report: (r) =>
        Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const prev = byAccount.get(r.account)
          const next: { -readonly [K in keyof AccountQuota]: AccountQuota[K] } = {
            account: r.account,
            five_hour: prev?.five_hour ?? null,
            seven_day: prev?.seven_day ?? null,
            seen_at: new Date(now).toISOString(),
            session: r.session,
          }
          for (const w of QUOTA_WINDOWS) {
            const reading = r[w]
            if (reading === undefined) continue
            next[w] = reading
            if (sameWindow(prev?.[w] ?? null, reading)) continue
            yield* events.publish({
              type: "quota",
              account: r.account,
              window: w,
              used_percentage: reading.used_percentage,
              ...(reading.resets_at === null ? {} : { resets_at: reading.resets_at }),
            })
          }
          byAccount.set(r.account, next)
        }),
      get: (account) => byAccount.get(account),
      all: () => [...byAccount.values()],
      forget: (account) => Effect.sync(() => void byAccount.delete(account)),
    })
  }),
)
