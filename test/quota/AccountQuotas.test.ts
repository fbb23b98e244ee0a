// AccountQuotas (issue 14 "Quota intake"): reports kept per account, a `quota` event only when a window's value
// changes; and through the daemon: a StatusLine spool record and a StopFailure rate_limit land on the session's
// account.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Queue } from "effect"
import type { EventEnvelope } from "../../src/domain/DaemonEvent.js"
import { AccountQuotasLive } from "../../src/programs/daemon/AccountQuotasLive.js"
import { AccountQuotas } from "../../src/services/AccountQuotas.js"
import { DaemonEvents, DaemonEventsLive } from "../../src/services/DaemonEvents.js"
import { IDLE, memoryDaemon, until } from "../support/memoryDaemon.js"

const quotasWithEvents = AccountQuotasLive.pipe(Layer.provideMerge(DaemonEventsLive))

const drained = (q: Queue.Dequeue<EventEnvelope>) =>
  Effect.map(Queue.takeAll(q), (chunk) => [...chunk].map((e) => e.event))

describe("AccountQuotasLive", () => {
  it.live("keeps the windows of each account, when and from whom, and publishes only what changed", () =>
    Effect.gen(function* () {
      const quotas = yield* AccountQuotas
      const events = yield* DaemonEvents
      const sub = yield* events.subscribe
      const five = { used_percentage: 42, resets_at: "2030-01-01T14:00:00.000Z" }
      const seven = { used_percentage: 10, resets_at: "2030-01-05T00:00:00.000Z" }
      expect(quotas.get("main")).toBeUndefined()
      yield* quotas.report({ account: "main", session: "ccl-pool-1", five_hour: five, seven_day: seven })
      expect(quotas.get("main")).toMatchObject({
        account: "main",
        five_hour: five,
        seven_day: seven,
        session: "ccl-pool-1",
      })
      expect(Number.isNaN(Date.parse(quotas.get("main")!.seen_at))).toBe(false)
      // The same values from another session: the session changes, no event.
      yield* quotas.report({ account: "main", session: "ccl-pool-2", five_hour: five, seven_day: seven })
      expect(quotas.get("main")!.session).toBe("ccl-pool-2")
      // Only the five-hour window moved; a report without windows keeps both.
      yield* quotas.report({
        account: "main",
        session: "ccl-pool-1",
        five_hour: { ...five, used_percentage: 57 },
      })
      yield* quotas.report({ account: "main", session: "ccl-pool-1" })
      expect(quotas.get("main")).toMatchObject({ five_hour: { used_percentage: 57 }, seven_day: seven })
      yield* quotas.report({ account: "backup", session: null, seven_day: seven })
      expect(quotas.all().map((q) => q.account)).toEqual(["main", "backup"])
      yield* Effect.sleep("50 millis")
      expect(yield* drained(sub)).toEqual([
        {
          type: "quota",
          account: "main",
          window: "five_hour",
          used_percentage: 42,
          resets_at: five.resets_at,
        },
        {
          type: "quota",
          account: "main",
          window: "seven_day",
          used_percentage: 10,
          resets_at: seven.resets_at,
        },
        {
          type: "quota",
          account: "main",
          window: "five_hour",
          used_percentage: 57,
          resets_at: five.resets_at,
        },
        {
          type: "quota",
          account: "backup",
          window: "seven_day",
          used_percentage: 10,
          resets_at: seven.resets_at,
        },
      ])
    }).pipe(Effect.provide(quotasWithEvents), Effect.scoped),
  )
})

describe("the daemon's quota intake", () => {
  it.live(
    "a StatusLine record reports its session's account; a rate_limit StopFailure is that window at 100%",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const r = yield* memoryDaemon(1, { accounts: ["main", "backup"] })
          yield* r.allReady
          const account = r.record("ccl-pool-1").account!
          expect(account).toBe("main")
          const resetsAt = Math.floor(Date.now() / 1000) + 3600
          yield* r.dispatcher.onHook({
            event: "StatusLine",
            ccl_session: "ccl-pool-1",
            received_at: new Date().toISOString(),
            payload: {
              session_id: "0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b",
              rate_limits: {
                five_hour: { used_percentage: 87.6, resets_at: resetsAt },
                seven_day: { used_percentage: 12, resets_at: resetsAt + 86400 },
              },
            },
          })
          expect(r.quotas.get(account)).toMatchObject({
            five_hour: { used_percentage: 87.6, resets_at: new Date(resetsAt * 1000).toISOString() },
            seven_day: { used_percentage: 12 },
            session: "ccl-pool-1",
          })
          // A statusline is no hook: the session's state is untouched by it.
          expect(r.record("ccl-pool-1").hooked).not.toBe(true)
          yield* r.dispatch("t1", "Do it")
          yield* r.dispatcher.onHook({
            event: "StopFailure",
            ccl_session: "ccl-pool-1",
            received_at: new Date().toISOString(),
            payload: { error: "rate_limit", last_assistant_message: "You've hit your limit" },
          })
          yield* until(
            Effect.sync(() => (r.quotas.get(account)?.five_hour?.used_percentage === 100 ? true : undefined)),
            5_000,
            r.describe,
          )
          // No reset shown: the one the statusline said is kept; the weekly window is as it was.
          expect(r.quotas.get(account)).toMatchObject({
            five_hour: { used_percentage: 100, resets_at: new Date(resetsAt * 1000).toISOString() },
            seven_day: { used_percentage: 12 },
          })
          r.tmux.setScreen("ccl-pool-1", IDLE)
        }),
      ),
  )
})
