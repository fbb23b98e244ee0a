import { Clock, Effect, SubscriptionRef } from "effect"
import type { AccountRef } from "../../domain/AccountChoice.js"
import type { SwapJournal } from "../../domain/DaemonState.js"
import { toInFlight } from "../../domain/InFlightState.js"
import { renderProblem } from "../../domain/SharedLinks.js"
import { failpoint } from "../../layers/failpoint.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { FailoverRefused, type SwapTrigger } from "../../services/Failover.js"
import { SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { SymlinkFs } from "../../services/SymlinkFs.js"
import { makeSwapJournalRunner } from "./SwapJournalRunner.js"

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * One swap to a chosen account (DESIGN.md "Failover" 2-7): its shared links checked (a broken one refuses, nothing
 * touched), dispatching paused, then under the sessions' lock: resume ids saved, the journal written, every
 * session relaunched from it, the swap recorded.
 */
export const makeSwapMove = (resumable: (home: string, cwd: string, id: string) => boolean) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const links = yield* SymlinkFs
    const state = yield* StateStore
    const control = yield* DispatchControl
    const supervisor = yield* SessionSupervisor
    const { table, locked } = yield* DaemonSessions
    const journal = yield* makeSwapJournalRunner(resumable)
    const setControl = (change: Partial<{ swapping: boolean; pausedUntil: number }>) =>
      SubscriptionRef.update(control.state, (s) => ({ ...s, ...change }))

    /** Moves everything to `to`, dispatching paused and the sessions' lock held. */
    const moveTo = (to: AccountRef, trigger: SwapTrigger) =>
      Effect.gen(function* () {
        const problems = yield* links.validateAll([to], settings.shared.root, settings.shared.required)
        if (problems.length > 0)
          return yield* new FailoverRefused({
            reason: `account ${to.name}'s shared links are broken: ${problems.map(renderProblem).join("; ")}`,
          })
        const from = supervisor.account()?.name ?? null
        yield* failpoint("swap:target-chosen")
        yield* setControl({ swapping: true })
        const done = yield* locked(
          Effect.gen(function* () {
            yield* journal.saveResumeIds
            yield* failpoint("swap:resume-ids-saved")
            const written: SwapJournal = {
              from,
              to: to.name,
              reason: trigger.reason,
              reset_at: trigger.resetAt === undefined ? null : iso(trigger.resetAt),
              started_at: iso(yield* Clock.currentTimeMillis),
              sessions: table.all().map((r) => ({
                name: r.name,
                kind: r.kind,
                cwd: r.cwd,
                ...(r.task === undefined || r.kind !== "pool" ? {} : { task: toInFlight(r.task) }),
              })),
            }
            // Written before any session is killed: a crash from here on is finished by the next start.
            yield* state.update((s) => ({ ...s, swap: written }))
            yield* failpoint("swap:journal-written")
            return yield* journal.runJournal(written)
          }),
        )
        yield* setControl({ pausedUntil: 0 })
        return done
      }).pipe(
        Effect.mapError((e) =>
          e._tag === "FailoverRefused"
            ? e
            : new FailoverRefused({ reason: `${e._tag}: ${"message" in e ? e.message : ""}` }),
        ),
        Effect.ensuring(Effect.zipRight(setControl({ swapping: false }), control.wake)),
      )

    return { moveTo, record: journal.record, runJournal: journal.runJournal }
  })
