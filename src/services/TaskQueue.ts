import { Context, Data, type Effect, type Either, type Option } from "effect"
import type { AttemptEntry } from "../domain/AttemptLog.js"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import type { Frontmatter } from "../domain/Frontmatter.js"
import type { PendingKey } from "../domain/PendingOrder.js"
import type { ResultFooter } from "../domain/ResultFooter.js"

export const TaskStates = ["pending", "active", "done", "failed"] as const
export type TaskState = (typeof TaskStates)[number]
/** Where `locate` looks first: a task being filed is linked into done/ or failed/ before it leaves active/. */
export const LOCATE_ORDER: ReadonlyArray<TaskState> = ["done", "failed", "active", "pending"]

/** A pending task, parsed, as the dispatcher sees it. */
export interface PendingTask extends PendingKey {
  readonly frontmatter: Frontmatter
  readonly body: string
  /** Failed attempts the queue itself keeps (a shared queue: any node's); the file queue leaves it to state.json. */
  readonly attempts?: number
  /** Epoch ms before which no node dispatches it again (a shared queue's backoff); see attempts. */
  readonly retryAt?: number
}

/** A failed attempt given back with its task, for a queue several daemons share (the file queue ignores it). */
export interface FailedAttempt {
  /** The attempt that failed (1-based). */
  readonly attempt: number
  /** Every failed attempt so far, this one last. */
  readonly log: ReadonlyArray<AttemptEntry>
  /** Epoch ms before which the task is not dispatched again. */
  readonly retryAt: number
}

/** A task file wherever it is in the queue. */
export interface StoredTask {
  readonly id: string
  readonly state: TaskState
  readonly path: string
  readonly text: string
  /** True when a delegation marker sits beside it in pending/. */
  readonly delegated: boolean
}

export interface TaskSummary {
  readonly id: string
  readonly state: TaskState
  readonly path: string
  readonly modifiedAt: number
  readonly delegated: boolean
  /** A shared (Postgres) queue: the node holding an active task. */
  readonly node?: string
}

export interface QueueCounts {
  readonly pending: number
  readonly active: number
  readonly done: number
  readonly failed: number
  readonly delegated: number
}

/** One finished task for `fileMany`. */
export interface Filing {
  readonly id: string
  readonly into: "done" | "failed"
  readonly footer: ResultFooter
  /** Also remove its delegation marker once the task is filed (or found filed already). */
  readonly dropMarker?: boolean
}

/** Where one filing landed; TaskNotFound: already filed (or removed); QueueIOError: this one stays for later. */
export type FilingResult = Either.Either<string, TaskNotFound | QueueIOError>

/** What `recover` found and finished. */
export interface RecoveryReport {
  /** Sources removed because their done/ or failed/ copy was already complete. */
  readonly finishedMoves: ReadonlyArray<string>
  /** Interrupted enqueues rolled forward into pending/. */
  readonly finishedEnqueues: ReadonlyArray<string>
  /** Staging files dropped because their move will be redone from the source. */
  readonly droppedStaging: ReadonlyArray<string>
}

/** The filesystem refused an operation (disk full, permissions...). The task stays where it was. */
export class QueueIOError extends Data.TaggedError("QueueIOError")<{
  readonly op: string
  readonly path: string
  readonly message: string
}> {}

export class TaskExists extends Data.TaggedError("TaskExists")<{
  readonly id: string
  readonly state: TaskState
}> {}

export class InvalidTask extends Data.TaggedError("InvalidTask")<{
  readonly id: string
  readonly reason: string
}> {}

export class TaskNotFound extends Data.TaggedError("TaskNotFound")<{
  readonly id: string
  readonly where: string
}> {}

/** The task is in another folder than the operation takes it from (a retry of a done task, say). */
export class TaskElsewhere extends Data.TaggedError("TaskElsewhere")<{
  readonly id: string
  readonly state: TaskState
}> {}

export class MarkerCorrupt extends Data.TaggedError("MarkerCorrupt")<{
  readonly id: string
  readonly path: string
  readonly reason: string
}> {}

/** The task queue on disk (DESIGN.md "Queue on disk"). */
export class TaskQueue extends Context.Tag("ccl/TaskQueue")<
  TaskQueue,
  {
    readonly root: string
    /** Validates and adds a task: staged in tmp/, fsynced, moved into pending/. Refuses an id used anywhere. */
    readonly enqueue: (
      id: string,
      text: string,
    ) => Effect.Effect<void, TaskExists | InvalidTask | QueueIOError>
    /** Pending tasks in dispatch order, without delegated ones. Invalid files move to failed/ on first sight. */
    readonly listPending: Effect.Effect<ReadonlyArray<PendingTask>, QueueIOError>
    /** pending -> active. False when another claimer won (or the task is delegated): a normal outcome. */
    readonly claim: (id: string) => Effect.Effect<boolean, QueueIOError>
    /** active -> pending, for a task whose session died (with the attempt that failed, if one did). False when it was not active. */
    readonly release: (id: string, failed?: FailedAttempt) => Effect.Effect<boolean, QueueIOError>
    /** Appends the footer and moves the task (from active/, else pending/) into done/. Returns the new path. */
    readonly complete: (
      id: string,
      footer: ResultFooter,
    ) => Effect.Effect<string, TaskNotFound | QueueIOError>
    /** Same as complete, into failed/. */
    readonly fail: (id: string, footer: ResultFooter) => Effect.Effect<string, TaskNotFound | QueueIOError>
    /**
     * complete / fail for many tasks at once, as durable as one by one: every result is written and synced, then
     * linked, then each destination folder is synced once for the whole batch, then sources and markers go.
     * One result per filing, in order; fails as a whole only when a folder cannot be synced (nothing removed).
     */
    readonly fileMany: (
      filings: ReadonlyArray<Filing>,
    ) => Effect.Effect<ReadonlyArray<FilingResult>, QueueIOError>
    /** Creates `<id>.md.delegated` exclusively. False when a marker exists or the task left pending/. */
    readonly createMarker: (marker: DelegationMarker) => Effect.Effect<boolean, QueueIOError>
    readonly readMarker: (
      id: string,
    ) => Effect.Effect<Option.Option<DelegationMarker>, MarkerCorrupt | QueueIOError>
    /** Rewrites a marker atomically (temp + rename). */
    readonly updateMarker: (marker: DelegationMarker) => Effect.Effect<void, QueueIOError>
    readonly removeMarker: (id: string) => Effect.Effect<void, QueueIOError>
    /** Moves an unreadable marker aside (`<id>.md.delegated.corrupt.<time>`) and returns its new path. */
    readonly quarantineMarker: (id: string) => Effect.Effect<string, QueueIOError>
    /** Ids of every task with a marker. */
    readonly listMarkers: Effect.Effect<ReadonlyArray<string>, QueueIOError>
    readonly get: (id: string) => Effect.Effect<Option.Option<StoredTask>, QueueIOError>
    /** Which folder holds a task (no read of its text): for `depends_on`. */
    readonly locate: (id: string) => Effect.Effect<Option.Option<TaskState>, QueueIOError>
    /**
     * failed -> pending, for a retry: the failed run's footer kept in the text as history (footerAsHistory).
     * Staged, linked into pending/, then unlinked from failed/; recover finishes a cut one. Returns the new path.
     */
    readonly requeue: (
      id: string,
    ) => Effect.Effect<string, TaskNotFound | TaskElsewhere | TaskExists | QueueIOError>
    /** Deletes a finished task (done/ or failed/ only). Returns the folder it was in. */
    readonly remove: (
      id: string,
    ) => Effect.Effect<"done" | "failed", TaskNotFound | TaskElsewhere | QueueIOError>
    readonly list: (state: TaskState) => Effect.Effect<ReadonlyArray<TaskSummary>, QueueIOError>
    /** The `limit` most recently filed of done/ and failed/, newest first (compareFinished): recent results. */
    readonly recent: (limit: number) => Effect.Effect<ReadonlyArray<TaskSummary>, QueueIOError>
    readonly counts: Effect.Effect<QueueCounts, QueueIOError>
    /** Finishes moves interrupted by a crash at any step. Safe to run at any time. */
    readonly recover: Effect.Effect<RecoveryReport, QueueIOError>
    /**
     * Runs `onChange` whenever a pending task may have arrived (Postgres: LISTEN/NOTIFY), until interrupted or the
     * connection is lost. Absent: the daemon watches `<root>/pending/` itself.
     */
    readonly follow?: (onChange: Effect.Effect<void>) => Effect.Effect<void, QueueIOError>
  }
>() {}
