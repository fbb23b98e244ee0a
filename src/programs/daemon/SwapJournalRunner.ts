import { Clock, Effect } from "effect"
import type { SwapJournal, SwapRecord, SwapSessionOutcome } from "../../domain/DaemonState.js"
import { HISTORY_LIMIT } from "../../domain/DaemonState.js"
import { failureText } from "../../domain/FailureText.js"
import { fromInFlight } from "../../domain/InFlightState.js"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import type { SessionRecord } from "../../domain/SessionTable.js"
import { failpoint } from "../../layers/failpoint.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { DaemonSessions } from "../../services/DaemonSessions.js"
import { type LaunchMode, SessionSupervisor } from "../../services/SessionSupervisor.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { liveSessionId, type PaneRef } from "./LiveStatusFile.js"
import { readResumeId, writeResumeId } from "./ResumeIdFile.js"

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The failover's steps on sessions (DESIGN.md "Failover" 3-7): resume ids saved, then from a journal every session
 * relaunched under the target account and the swap recorded. `resumable` tells whether a conversation has a
 * transcript to resume (the unit tests' homes are in memory).
 */
export const makeSwapJournalRunner = (resumable: (home: string, cwd: string, id: string) => boolean) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const queue = yield* TaskQueue
    const state = yield* StateStore
    const supervisor = yield* SessionSupervisor
    const { table } = yield* DaemonSessions
    const events = yield* DaemonEvents

    /** Appends a swap to the history (and, for a finished journal, clears it in the same write). */
    const record = (r: Omit<SwapRecord, "finished_at">, endsJournal = false) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const done: SwapRecord = { ...r, finished_at: iso(now) }
        const kind =
          r.outcome === "swapped" ? "swapped" : r.outcome === "refused" ? "refused" : "all_exhausted"
        return Effect.as(
          state
            .update((s) => ({
              ...s,
              ...(endsJournal ? { swap: null } : {}),
              history: [...s.history, done].slice(-HISTORY_LIMIT),
            }))
            .pipe(
              Effect.tap(() =>
                events.publish({
                  type: "failover",
                  kind,
                  from: r.from,
                  to: r.to,
                  reason: r.reason,
                  reset_at: r.reset_at ?? undefined,
                }),
              ),
            ),
          done,
        )
      })

    /** The conversation a session is in, strongest source first: hook, live status file, the id ccl chose. */
    const conversationOf = (r: SessionRecord, pane: PaneRef | undefined) => {
      if (r.conversationFrom === "hook" && r.conversationId !== undefined) return r.conversationId
      const home = settings.accounts.find((a) => a.name === r.account)?.home
      const live = home === undefined || pane === undefined ? undefined : liveSessionId(home, pane)
      return live ?? r.conversationId
    }

    /** Step 3: resume ids of working pool sessions and of every dedicated session, whatever its state. */
    const saveResumeIds = Effect.gen(function* () {
      const panes = new Map((yield* tmux.list.pipe(Effect.orElseSucceed(() => []))).map((s) => [s.name, s]))
      for (const r of table.all()) {
        if (r.kind === "pool" && r.task === undefined) continue
        const info = panes.get(r.name)
        const id = conversationOf(
          r,
          info === undefined ? undefined : { session: r.name, paneId: info.paneId, panePid: info.panePid },
        )
        if (id !== undefined && isValidResumeUUID(id)) writeResumeId(settings.state, r.name, id)
        else yield* Effect.logWarning(`session ${r.name}: no conversation id known; its saved one is kept`)
      }
    })

    /** How one session comes back, and why when not resumed: only a conversation with a transcript is resumed. */
    const relaunchMode = (s: SwapJournal["sessions"][number], active: ReadonlySet<string>, home: string) =>
      Effect.gen(function* () {
        if (s.kind === "pool" && s.task === undefined) return { how: { mode: "new" } as LaunchMode }
        const saved = readResumeId(settings.state, s.name)
        if (saved.kind === "invalid")
          yield* Effect.logError(
            `session ${s.name}: resume-id.txt held ${saved.sample}, not a UUID: moved to ${saved.movedTo}`,
          )
        const task =
          s.task !== undefined && active.has(s.task.task)
            ? fromInFlight(s.task, settings.watchdog.staleAfterMs)
            : undefined
        if (saved.kind === "valid" && resumable(home, s.cwd, saved.id))
          return { how: { mode: "resume", id: saved.id, task } as LaunchMode }
        const why =
          saved.kind === "valid"
            ? `conversation ${saved.id} has no transcript (never prompted)`
            : saved.kind === "missing"
              ? "no resume id saved"
              : "its resume id was not a UUID"
        // A dedicated conversation that never began starts fresh; one whose id is lost is left to the operator.
        if (s.kind === "dedicated")
          return saved.kind === "valid"
            ? { how: { mode: "new" } as LaunchMode, why }
            : { how: { mode: "shell", why } as LaunchMode, why }
        // A pool session with nothing to resume starts fresh; its task goes back to pending/. A limit cost it
        // nothing: its next dispatch has the same attempt number.
        if (task !== undefined) {
          yield* queue.release(task.id).pipe(Effect.orElse(() => Effect.void))
          yield* state
            .update((st) => ({ ...st, attempts: { ...st.attempts, [task.id]: task.attempt - 1 } }))
            .pipe(Effect.catchAll((e) => Effect.logWarning(`task ${task.id}: ${e.message}`)))
          yield* Effect.logWarning(`session ${s.name}: ${why}, task ${task.id} back to pending/`)
        }
        return { how: { mode: "new" } as LaunchMode, why }
      })

    /** One session of the journal relaunched; what became of it. */
    const relaunchOne = (
      journal: SwapJournal,
      s: SwapJournal["sessions"][number],
      active: ReadonlySet<string>,
      home: string,
    ) =>
      Effect.gen(function* () {
        const { how, why } = yield* relaunchMode(s, active, home)
        const id = yield* supervisor.launch(s.name, s.cwd, s.kind, how, true)
        // Checked once the agent is up: its live status file under the target home names this id.
        if (id !== undefined)
          table.set(
            s.name,
            { verify: { swap: journal.started_at, home, id } },
            yield* Clock.currentTimeMillis,
          )
        yield* failpoint("swap:relaunched")
        const outcome: SwapSessionOutcome = {
          name: s.name,
          how: how.mode === "resume" ? "resumed" : how.mode === "new" ? "fresh" : "shell",
          id: id ?? null,
          ...(why === undefined ? {} : { why }),
          verified: null,
        }
        return outcome
      }).pipe(
        Effect.catchAll((e) =>
          Effect.as(
            Effect.logError(
              `session ${s.name} could not be relaunched, left at its shell: ${failureText(e)}`,
            ),
            {
              name: s.name,
              how: "shell" as const,
              id: null,
              why: failureText(e),
              verified: null,
            },
          ),
        ),
      )

    /** Steps 4-7 from a journal: idempotent, so a start after a crash runs it again (roll forward). */
    const runJournal = (journal: SwapJournal) =>
      Effect.gen(function* () {
        yield* state.update((s) => ({ ...s, active_account: journal.to }))
        const home = settings.accounts.find((a) => a.name === journal.to)?.home ?? ""
        // Tasks still in active/ (one finished meanwhile is not resumed); unreadable folder: keep them all.
        const listed = yield* Effect.option(queue.list("active"))
        const active = new Set(
          listed._tag === "Some"
            ? listed.value.map((t) => t.id)
            : journal.sessions.flatMap((s) => (s.task === undefined ? [] : [s.task.task])),
        )
        // Mostly waiting for fresh shells to show the typed line: more at once than there are cores.
        const sessions = yield* Effect.forEach(
          journal.sessions,
          (s) => relaunchOne(journal, s, active, home),
          { concurrency: 10 },
        )
        const outcome = yield* record(
          {
            from: journal.from,
            to: journal.to,
            reason: journal.reason,
            reset_at: journal.reset_at,
            started_at: journal.started_at,
            outcome: "swapped",
            relaunched: sessions.filter((o) => o.how !== "shell").map((o) => o.name),
            left_at_shell: sessions.filter((o) => o.how === "shell").map((o) => o.name),
            sessions,
          },
          true,
        )
        yield* failpoint("swap:journal-cleared")
        yield* Effect.logInfo(
          `failover ${journal.from ?? "-"} -> ${journal.to} (${journal.reason}): ` +
            sessions
              .map(
                (o) =>
                  `${o.name} ${o.how}${o.id === null ? "" : ` ${o.id}`}${o.why === undefined ? "" : ` (${o.why})`}`,
              )
              .join(", "),
        )
        return outcome
      })

    return { record, saveResumeIds, runJournal }
  })
