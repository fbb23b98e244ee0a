import { Context, type Effect } from "effect"
import type { AccountRef } from "../domain/AccountChoice.js"
import type { SessionRecord, TaskInFlight } from "../domain/SessionTable.js"
import type { StateFileError } from "./StateStore.js"
import type { QueueIOError, TaskNotFound } from "./TaskQueue.js"
import type { PasteNotLanded, TmuxError } from "./TmuxPool.js"

/** How a session is (re)started: a new conversation, a resumed one (keeping its task), or left at its shell. */
export type LaunchMode =
  | { readonly mode: "new" }
  | { readonly mode: "resume"; readonly id: string; readonly task?: TaskInFlight | undefined }
  | { readonly mode: "shell"; readonly why: string }

export type SessionError = TmuxError | PasteNotLanded | StateFileError | QueueIOError | TaskNotFound

/**
 * The sessions' lives: creates and adopts them at start, launches and relaunches their agents, gives back the
 * task of a dead session (retried every few seconds until it works), and marks what needs the operator. Its
 * callers hold the DaemonSessions lock.
 */
export class SessionSupervisor extends Context.Tag("ccl/SessionSupervisor")<
  SessionSupervisor,
  {
    /** The account sessions are launched under: the state's active one, else the first configured. */
    readonly account: () => AccountRef | undefined
    /**
     * Creates the session if needed (killed first when `recreate`) and types the agent's launch line into its
     * shell. Returns the conversation id (undefined when left at the shell).
     */
    readonly launch: (
      name: string,
      cwd: string,
      kind: SessionRecord["kind"],
      how?: LaunchMode,
      recreate?: boolean,
    ) => Effect.Effect<string | undefined, SessionError>
    /** How a dedicated session comes back: its conversation resumed when it has a transcript, else a new one. */
    readonly dedicatedMode: (name: string, cwd: string) => LaunchMode
    /** Pool and dedicated sessions adopted when they exist, else created; then orphans given back. */
    readonly startSessions: Effect.Effect<void, SessionError>
    /** Launches the agent again; after a few launches that never reach the prompt, asks the operator. */
    readonly relaunch: (r: SessionRecord, why: string) => Effect.Effect<void, SessionError>
    /** Its tmux session is gone: the task goes back (or to failed/), a new session is started. */
    readonly onDead: (r: SessionRecord) => Effect.Effect<void, SessionError>
    readonly needsOperator: (r: SessionRecord, why: string) => Effect.Effect<void>
    /** Tasks in active/ that no session holds and no delivery is typing: back to pending/. */
    readonly sweepOrphans: Effect.Effect<void, QueueIOError>
  }
>() {}
