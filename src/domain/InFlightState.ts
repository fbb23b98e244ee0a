import type { DaemonState, InFlight } from "./DaemonState.js"
import type { TaskInFlight } from "./SessionTable.js"

// Who holds which task, as state.json keeps it: the next daemon adopts a session with its task (SIGTERM, crash).

/** A task in flight as state.json keeps it. */
export const toInFlight = (t: TaskInFlight, resuming = false): InFlight => ({
  task: t.id,
  attempt: t.attempt,
  sent_at: t.sentAt,
  started_at: t.startedAt,
  deadline_at: t.deadlineAt,
  ...(t.timed === true ? { timed: true } : {}),
  dispatch: t.dispatch,
  ...(resuming ? { resuming: true } : {}),
})

/** A task in flight from state.json; the screen-reading fields start afresh. */
export const fromInFlight = (f: InFlight, staleAfterMs: number, doneLinesBefore = 0): TaskInFlight => ({
  id: f.task,
  attempt: f.attempt,
  // A holding written before dispatch ids existed keeps a stable one: its attempt.
  dispatch: f.dispatch ?? `${f.task}#${f.attempt}`,
  sentAt: f.sent_at,
  startedAt: f.started_at ?? f.sent_at,
  deadlineAt: f.deadline_at ?? (f.started_at ?? f.sent_at) + staleAfterMs,
  timed: f.timed === true,
  sawBusy: false,
  doneLinesBefore,
})

/** The session holds `task` now (or nothing); `resuming` until it is told to continue after a failover. */
export const holding =
  (name: string, task: TaskInFlight | undefined, resuming = false) =>
  (s: DaemonState): DaemonState => {
    const inflight = { ...s.inflight }
    if (task === undefined) delete inflight[name]
    else inflight[name] = toInFlight(task, resuming)
    return { ...s, inflight }
  }

/**
 * The task left the session for good (done/ or failed/): its holder and its attempt count go in one write, so
 * state.json keeps nothing per finished task (fault 23).
 */
export const forgetting =
  (name: string | undefined, id: string) =>
  (s: DaemonState): DaemonState => {
    const inflight = { ...s.inflight }
    if (name !== undefined && inflight[name]?.task === id) delete inflight[name]
    const attempts = { ...s.attempts }
    delete attempts[id]
    const attempt_log = { ...s.attempt_log }
    delete attempt_log[id]
    const retry_at = { ...s.retry_at }
    delete retry_at[id]
    return { ...s, inflight, attempts, attempt_log, retry_at }
  }
