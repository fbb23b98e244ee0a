import { Cause, Clock, type Context, Duration, Effect, Fiber, Queue } from "effect"
import { type AccountRef, chooseTarget, cooldownUntil } from "../../domain/AccountChoice.js"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { renderProblem } from "../../domain/SharedLinks.js"
import { AppConfig } from "../../services/AppConfig.js"
import {
  type Failover,
  FailoverRefused,
  type SwapOutcome,
  type SwapTrigger,
} from "../../services/Failover.js"
import { SymlinkFs } from "../../services/SymlinkFs.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { TmuxPool } from "../../services/TmuxPool.js"
import { type Dispatcher, fromInFlight, type LaunchMode, toInFlight } from "./Dispatcher.js"
import { liveSessionId, type PaneRef } from "./LiveStatusFile.js"
import { readResumeId, writeResumeId } from "./ResumeIdFile.js"
import type { SessionRecord } from "./SessionTable.js"
import { HISTORY_LIMIT, type SwapJournal, type SwapRecord, type SwapSessionOutcome } from "./StateFile.js"
import { hasTranscript } from "./Transcript.js"

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The failover (DESIGN.md "Failover"): pick the target, check its shared links, save resume ids, write a journal,
 * kill and recreate every session under the target account, resume dedicated and working pool sessions, record
 * the swap. One at a time (a semaphore); dispatching is paused while it runs. A journal left by a crash is
 * finished by the next start (`completeInterrupted`).
 */
export const makeAccountSwap = (
  dispatcher: Dispatcher,
  /** Whether a conversation can be resumed (its transcript exists); the unit tests' homes are in memory. */
  resumable: (home: string, cwd: string, id: string) => boolean = hasTranscript,
) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const tmux = yield* TmuxPool
    const links = yield* SymlinkFs
    const queue = yield* TaskQueue
    const single = yield* Effect.makeSemaphore(1)
    /** The swap waiting for the earliest reset when every account is cooling down: at most one. */
    let resetWait: { readonly fiber: Fiber.RuntimeFiber<void, never>; readonly until: number } | undefined
    const { state, control, table } = dispatcher

    /** Appends a swap to the history (and, for a finished journal, clears it in the same write). */
    const record = (r: Omit<SwapRecord, "finished_at">, endsJournal = false) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const done: SwapRecord = { ...r, finished_at: iso(now) }
        return Effect.as(
          state.update((s) => ({
            ...s,
            ...(endsJournal ? { swap: null } : {}),
            history: [...s.history, done].slice(-HISTORY_LIMIT),
          })),
          done,
        )
      })

    /** The conversation a session is in, strongest source first: hook, live status file, the id ccl chose. */
    const conversationOf = (r: SessionRecord, pane: PaneRef | undefined) =>
      Effect.sync(() => {
        if (r.conversationFrom === "hook" && r.conversationId !== undefined) return r.conversationId
        const home = settings.accounts.find((a) => a.name === r.account)?.home
        const live = home === undefined || pane === undefined ? undefined : liveSessionId(home, pane)
        return live ?? r.conversationId
      })

    /** Step 3: resume ids of working pool sessions and of every dedicated session, whatever its state. */
    const saveResumeIds = Effect.gen(function* () {
      const panes = new Map((yield* tmux.list.pipe(Effect.orElseSucceed(() => []))).map((s) => [s.name, s]))
      for (const r of table.all()) {
        if (r.kind === "pool" && r.task === undefined) continue
        const info = panes.get(r.name)
        const id = yield* conversationOf(
          r,
          info === undefined ? undefined : { session: r.name, paneId: info.paneId, panePid: info.panePid },
        )
        if (id !== undefined && isValidResumeUUID(id)) writeResumeId(settings.state, r.name, id)
        else yield* Effect.logWarning(`session ${r.name}: no conversation id known; its saved one is kept`)
      }
    })

    /**
     * How one session of the journal comes back under the target account, and why when not resumed. Only a
     * conversation with a transcript is resumed (a never-prompted one has none: `--resume` would fail).
     */
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
            ? { ...fromInFlight(s.task, settings.watchdog.staleAfterMs), sawBusy: false, doneLinesBefore: 0 }
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
        // A pool session with nothing to resume starts fresh; its task goes back to pending/.
        if (task !== undefined) {
          yield* queue.release(task.id).pipe(Effect.orElse(() => Effect.void))
          yield* Effect.logWarning(`session ${s.name}: ${why}, task ${task.id} back to pending/`)
        }
        return { how: { mode: "new" } as LaunchMode, why }
      })

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
        const sessions: Array<SwapSessionOutcome> = []
        yield* Effect.forEach(
          journal.sessions,
          (s) =>
            Effect.gen(function* () {
              const { how, why } = yield* relaunchMode(s, active, home)
              const id = yield* dispatcher.launch(s.name, s.cwd, s.kind, how, true)
              const outcome = how.mode === "resume" ? "resumed" : how.mode === "new" ? "fresh" : "shell"
              sessions.push({
                name: s.name,
                how: outcome,
                id: id ?? null,
                ...(why === undefined ? {} : { why }),
                verified: null,
              })
              // Checked once the agent is up: its live status file under the target home names this id.
              if (id !== undefined)
                table.set(s.name, { verify: { swap: journal.started_at, home, id } }, Date.now())
            }).pipe(
              Effect.catchAll((e) =>
                Effect.zipRight(
                  Effect.logError(`session ${s.name} could not be relaunched: ${e._tag}`),
                  Effect.sync(() =>
                    sessions.push({ name: s.name, how: "shell", id: null, why: e._tag, verified: null }),
                  ),
                ),
              ),
            ),
          // Mostly waiting for fresh shells to show the typed line: more at once than there are cores.
          { concurrency: 10, discard: true },
        )
        const relaunched = sessions.filter((o) => o.how !== "shell").map((o) => o.name)
        const leftAtShell = sessions.filter((o) => o.how === "shell").map((o) => o.name)
        const outcome = yield* record(
          {
            from: journal.from,
            to: journal.to,
            reason: journal.reason,
            reset_at: journal.reset_at,
            started_at: journal.started_at,
            outcome: "swapped",
            relaunched,
            left_at_shell: leftAtShell,
            sessions,
          },
          true,
        )
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

    /** Moves everything to `to`, dispatching paused and the dispatcher's lock held. */
    const moveTo = (to: AccountRef, trigger: SwapTrigger) =>
      Effect.gen(function* () {
        const problems = yield* links.validateAll([to], settings.shared.root, settings.shared.required)
        if (problems.length > 0)
          return yield* new FailoverRefused({
            reason: `account ${to.name}'s shared links are broken: ${problems.map(renderProblem).join("; ")}`,
          })
        const from = dispatcher.account()?.name ?? null
        control.swapping = true
        const done = yield* dispatcher.locked(
          Effect.gen(function* () {
            yield* saveResumeIds
            const journal: SwapJournal = {
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
            yield* state.update((s) => ({ ...s, swap: journal }))
            return yield* runJournal(journal)
          }),
        )
        control.pausedUntil = 0
        return done
      }).pipe(
        Effect.ensuring(
          Effect.zipRight(
            Effect.sync(() => {
              control.swapping = false
            }),
            dispatcher.wake,
          ),
        ),
      )

    const outcomeOf = (r: SwapRecord): SwapOutcome => ({
      outcome: "swapped",
      from: r.from,
      to: r.to,
      relaunched: r.relaunched,
      leftAtShell: r.left_at_shell,
      message: `moved from ${r.from ?? "-"} to ${r.to}: ${r.relaunched.length} sessions relaunched, ${r.left_at_shell.length} left at the shell`,
    })

    const swapOnce = (trigger: SwapTrigger): Effect.Effect<SwapOutcome, FailoverRefused, never> =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const active = dispatcher.account()?.name
        if (trigger.exhausted !== undefined && trigger.exhausted !== active) {
          // A late hit of an account already left behind (another session reported the same limit).
          return {
            outcome: "ignored",
            from: active ?? null,
            to: null,
            relaunched: [],
            leftAtShell: [],
            message: `${trigger.exhausted} is no longer the active account`,
          } satisfies SwapOutcome
        }
        if (trigger.exhausted !== undefined) {
          const until = cooldownUntil(trigger.resetAt, now)
          yield* state.update((s) => ({
            ...s,
            cooldowns: { ...s.cooldowns, [trigger.exhausted!]: iso(until) },
          }))
        }
        const refuse = (reason: string) =>
          Effect.gen(function* () {
            // The account in use is spent and there is nowhere to go: stop feeding it until it resets.
            const spent =
              trigger.exhausted === undefined ? undefined : state.get().cooldowns[trigger.exhausted]
            if (spent !== undefined) control.pausedUntil = Date.parse(spent)
            yield* record({
              from: active ?? null,
              to: trigger.to ?? null,
              reason: trigger.reason,
              reset_at: trigger.resetAt === undefined ? null : iso(trigger.resetAt),
              started_at: iso(now),
              outcome: "refused",
              relaunched: [],
              left_at_shell: [],
              message: reason,
            })
            yield* Effect.logError(`failover refused: ${reason}`)
            return yield* new FailoverRefused({ reason })
          })
        const choice = chooseTarget({
          accounts: settings.accounts,
          active,
          cooldowns: state.get().cooldowns,
          now,
          requested: trigger.to,
          force: trigger.force,
        })
        if (choice.kind === "refused") return yield* refuse(choice.reason)
        if (choice.kind === "wait") {
          control.pausedUntil = choice.until
          const message = `every account is cooling down: dispatching paused until ${iso(choice.until)}, then ${choice.to.name}`
          yield* record({
            from: active ?? null,
            to: choice.to.name,
            reason: trigger.reason,
            reset_at: iso(choice.until),
            started_at: iso(now),
            outcome: "waiting",
            relaunched: [],
            left_at_shell: [],
            message,
          })
          yield* Effect.logWarning(message)
          // One swap at the reset, however many sessions report the limit meanwhile (each used to fork its own).
          if (resetWait === undefined || choice.until < resetWait.until) {
            if (resetWait !== undefined) yield* Fiber.interrupt(resetWait.fiber)
            const fiber = yield* Effect.forkDaemon(
              Effect.sleep(Duration.millis(Math.max(0, choice.until - now))).pipe(
                Effect.zipRight(
                  Effect.sync(() => {
                    resetWait = undefined
                  }),
                ),
                Effect.zipRight(
                  single.withPermits(1)(
                    moveTo(choice.to, { reason: `${choice.to.name}'s usage limit reset` }).pipe(
                      Effect.catchAll((e) =>
                        Effect.logError(`failover after the reset refused: ${e.reason}`),
                      ),
                    ),
                  ),
                ),
                Effect.asVoid,
                Effect.catchAllCause((cause) => Effect.logError("the swap at the reset failed", cause)),
              ),
            )
            resetWait = { fiber, until: choice.until }
          }
          return {
            outcome: "waiting",
            from: active ?? null,
            to: choice.to.name,
            relaunched: [],
            leftAtShell: [],
            until: choice.until,
            message,
          } satisfies SwapOutcome
        }
        const moved = yield* moveTo(choice.to, trigger).pipe(Effect.catchAll((e) => refuse(e.reason)))
        return outcomeOf(moved)
      })

    const swap = (trigger: SwapTrigger) => single.withPermits(1)(swapOnce(trigger))

    const status = Effect.sync(() => {
      const s = state.get()
      return {
        active: dispatcher.account()?.name ?? null,
        swapping: control.swapping,
        paused_until: control.pausedUntil > Date.now() ? iso(control.pausedUntil) : null,
        cooldowns: s.cooldowns,
        history: s.history,
      }
    })

    const service: Context.Tag.Service<Failover> = { swap, status }

    return {
      ...service,
      /** `POST /api/failover` and `ccl failover swap`: 200 with what was done, 409 when refused. */
      api: {
        status,
        swap: (to: string | undefined, force: boolean) =>
          swap({ reason: "operator request", to, force }).pipe(
            Effect.map((o) => ({
              status: 200,
              body: {
                // Waiting (every account cooling down) swapped nothing: not ok, and the message says until when.
                ok: o.outcome === "swapped",
                message: o.message,
                outcome: o.outcome,
                from: o.from,
                to: o.to,
                relaunched: o.relaunched,
                left_at_shell: o.leftAtShell,
              },
            })),
            Effect.catchAll((e) =>
              Effect.succeed({
                status: 409,
                body: { ok: false, message: e.reason, outcome: "refused" as const },
              }),
            ),
          ),
      },
      /** Forever: each usage-limit hit a session reports becomes a swap request (late duplicates are ignored). */
      runTriggers: Queue.take(dispatcher.limits).pipe(
        Effect.flatMap((hit) =>
          swap({
            reason: `usage limit on ${hit.session} (${hit.via})`,
            exhausted: hit.account,
            resetAt: hit.resetAt,
          }),
        ),
        // A defect too (a throw from a sync write): the next hit must still be taken, never a silent dead loop.
        Effect.catchAllCause((cause) =>
          Cause.isFailType(cause) ? Effect.void : Effect.logError("a failover trigger failed", cause),
        ),
        Effect.forever,
      ),
      /** A swap a crash interrupted (journal in state.json): finished before sessions are adopted. */
      completeInterrupted: Effect.gen(function* () {
        const journal = state.get().swap
        if (journal === null) return undefined
        yield* Effect.logWarning(`finishing the failover to ${journal.to} a previous daemon left half done`)
        return yield* dispatcher.locked(runJournal(journal))
      }),
    }
  })

export type AccountSwap = Effect.Effect.Success<ReturnType<typeof makeAccountSwap>>
