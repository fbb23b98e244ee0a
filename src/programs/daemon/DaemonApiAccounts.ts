import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Clock, Effect, Option } from "effect"
import { AccountQuotas } from "../../services/AccountQuotas.js"
import { AppConfig } from "../../services/AppConfig.js"
import type { AccountView } from "./DaemonApiAccountsSpec.js"
import type { ApiDispatcher, FailoverHandler } from "./DaemonApiHandlers.js"
import { DaemonApi } from "./DaemonApiSpec.js"

/**
 * `GET /api/accounts`: the configured accounts, the active one, live cooldowns (from the failover's state) and the
 * quota the sessions reported (AccountQuotas; null for an account none reported yet, or a daemon built without it).
 */
export const accountsApiHandlers = (
  dispatcher: Pick<ApiDispatcher, "account">,
  failover: Pick<FailoverHandler, "status">,
) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const quotas = yield* Effect.serviceOption(AccountQuotas)
    const view = Effect.gen(function* () {
      const now = yield* Clock.currentTimeMillis
      const cooldowns = (yield* failover.status)?.cooldowns ?? {}
      const active = dispatcher.account()?.name ?? settings.accounts[0]?.name
      return settings.accounts.map((a): AccountView => {
        const until = cooldowns[a.name]
        const q = Option.isSome(quotas) ? quotas.value.get(a.name) : undefined
        return {
          name: a.name,
          home: a.home,
          active: a.name === active,
          cooldown_until: until !== undefined && Date.parse(until) > now ? until : null,
          quota:
            q === undefined
              ? null
              : { five_hour: q.five_hour, seven_day: q.seven_day, seen_at: q.seen_at, session: q.session },
        }
      })
    })
    return HttpApiBuilder.group(DaemonApi, "accounts", (handlers) => handlers.handle("accounts", () => view))
  })
