import type { EventEnvelope, FailoverEvent, SessionEvent, TaskEvent } from "./DaemonEvent.js"
import type { Notification } from "./Notification.js"

// Which daemon events (DaemonEvent.ts) are notifications, each once per occurrence: the stream reports every
// change of the session table, so a session that stays dead, or a dialog that stays on screen, is remembered
// here and told once; a limit seen by several sessions of one account is one limit_hit.

export interface NotifyMemory {
  /** Sessions last seen dead. */
  readonly dead: ReadonlySet<string>
  /** Per session, what it was last seen waiting for (a dialog's line). */
  readonly asking: ReadonlyMap<string, string>
  /** Accounts whose limit was told, until the daemon moves onto them again (a swap or the reset). */
  readonly limited: ReadonlySet<string>
  /** The reset an all_exhausted was told for, until a swap or the reset ends that wait. */
  readonly exhaustedUntil: string | undefined
}

export const emptyNotifyMemory: NotifyMemory = {
  dead: new Set(),
  asking: new Map(),
  limited: new Set(),
  exhaustedUntil: undefined,
}

export interface Mapped {
  readonly memory: NotifyMemory
  readonly notification: Notification | undefined
}

const none = (memory: NotifyMemory): Mapped => ({ memory, notification: undefined })

const withSet = <A>(set: ReadonlySet<A>, a: A, on: boolean): ReadonlySet<A> => {
  if (set.has(a) === on) return set
  const next = new Set(set)
  if (on) next.add(a)
  else next.delete(a)
  return next
}

const onFailover = (m: NotifyMemory, e: FailoverEvent, at: string): Mapped => {
  switch (e.kind) {
    case "limit_hit": {
      const account = e.account ?? ""
      if (m.limited.has(account)) return none(m)
      return {
        memory: { ...m, limited: withSet(m.limited, account, true) },
        notification: {
          event: "limit_hit",
          at,
          account: e.account,
          session: e.session,
          detail:
            `${e.account ?? "the account"} hit its usage limit (${e.reason})` +
            (e.reset_at === undefined ? "" : `, resets ${e.reset_at}`),
        },
      }
    }
    case "swapped":
    case "resumed_at_reset": {
      // The daemon runs on `to` again: its next limit is a new occurrence, and so is the next exhaustion.
      const memory = {
        ...m,
        limited: e.to == null ? m.limited : withSet(m.limited, e.to, false),
        exhaustedUntil: undefined,
      }
      return {
        memory,
        notification:
          e.kind === "swapped"
            ? {
                event: "failover",
                at,
                account: e.to ?? undefined,
                detail: `failover ${e.from ?? "(none)"} -> ${e.to ?? "(none)"}: ${e.reason}`,
              }
            : {
                event: "resumed_at_reset",
                at,
                account: e.to ?? undefined,
                detail: `${e.to ?? "the account"}'s limit reset: sessions resumed`,
              },
      }
    }
    case "all_exhausted": {
      const until = e.reset_at ?? ""
      if (m.exhaustedUntil === until) return none(m)
      return {
        memory: { ...m, exhaustedUntil: until },
        notification: {
          event: "all_exhausted",
          at,
          account: e.from ?? undefined,
          detail:
            `every account is spent: dispatching paused` +
            (e.reset_at === undefined ? "" : ` until ${e.reset_at}`) +
            (e.to == null ? "" : `, then ${e.to}`),
        },
      }
    }
    // The operator's own levers are not news to the operator.
    case "refused":
    case "cooldown_cleared":
    case "operator_paused":
    case "operator_resumed":
      return none(m)
  }
}

// An operator's `ccl queue cancel` is not news to the operator: only failures the daemon decided are told.
const onTask = (m: NotifyMemory, e: TaskEvent, at: string): Mapped =>
  e.state !== "failed" || e.cause === "cancelled"
    ? none(m)
    : {
        memory: m,
        notification: {
          event: "task_failed",
          at,
          account: e.account,
          session: e.session,
          task: e.id,
          detail:
            `task ${e.id} failed` +
            (e.cause === undefined ? "" : `: ${e.cause}`) +
            (e.detail === undefined ? "" : `: ${e.detail}`) +
            (e.attempt === undefined ? "" : ` (attempt ${e.attempt})`),
        },
      }

const onSession = (m: NotifyMemory, e: SessionEvent, at: string): Mapped => {
  const isDead = e.phase === "dead" || e.state === "dead"
  const wasDead = m.dead.has(e.name)
  const asked = m.asking.get(e.name)
  const asking = new Map(m.asking)
  if (e.needs_operator === undefined) asking.delete(e.name)
  else asking.set(e.name, e.needs_operator)
  const memory = { ...m, dead: withSet(m.dead, e.name, isDead), asking }
  if (isDead && !wasDead)
    return {
      memory,
      notification: {
        event: "session_dead",
        at,
        account: e.account,
        session: e.name,
        task: e.task,
        detail: `session ${e.name} is gone${e.task === undefined ? "" : ` (task ${e.task} in it)`}: starting it again`,
      },
    }
  if (e.needs_operator !== undefined && e.needs_operator !== asked)
    return {
      memory,
      notification: {
        event: "needs_input",
        at,
        account: e.account,
        session: e.name,
        task: e.task,
        detail: `${e.name} needs the operator: ${e.needs_operator} (tmux attach -t ${e.name})`,
      },
    }
  return none(memory)
}

/** The notification an event makes, if any, and what to remember for the next one. */
export const notificationOf = (memory: NotifyMemory, envelope: EventEnvelope): Mapped => {
  const e = envelope.event
  switch (e.type) {
    case "failover":
      return onFailover(memory, e, envelope.at)
    case "task":
      return onTask(memory, e, envelope.at)
    case "session":
      return onSession(memory, e, envelope.at)
    case "hook":
      // A permission prompt holds the turn until someone answers it.
      return e.event === "Notification" && e.notification_type === "permission_prompt"
        ? {
            memory,
            notification: {
              event: "needs_input",
              at: envelope.at,
              session: e.session,
              detail: `${e.session} asks for a permission (tmux attach -t ${e.session})`,
            },
          }
        : none(memory)
    case "quota":
      return none(memory)
  }
}
