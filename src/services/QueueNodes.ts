import { Context, Data, type Effect } from "effect"
import type { QueueIOError } from "./TaskQueue.js"

/** What a daemon tells the other nodes about itself with each heartbeat. */
export interface NodeReport {
  readonly sessions: ReadonlyArray<{ readonly name: string; readonly task: string | null }>
  readonly accounts: ReadonlyArray<string>
  readonly activeAccount: string | null
}

/** One daemon sharing the queue, as its last heartbeat left it. */
export interface QueueNode extends NodeReport {
  readonly name: string
  readonly pid: number
  readonly startedAt: string
  readonly heartbeatAgeMs: number
  /** Ids of the tasks it holds (claimed, lease running or lapsed but not yet taken back). */
  readonly tasks: ReadonlyArray<string>
}

/** Another daemon runs under this node name: two would share (and fence out) each other's claims. */
export class NodeTaken extends Data.TaggedError("NodeTaken")<{ readonly node: string }> {
  override get message() {
    return `another ccl daemon runs as node "${this.node}" on this queue: stop it, or give this one another name (node: in ccl.yaml, or CCL_NODE)`
  }
}

/** The nodes of a shared (Postgres) queue; absent for the file queue, which has one daemon. */
export class QueueNodes extends Context.Tag("ccl/QueueNodes")<
  QueueNodes,
  {
    /** This process's node name. */
    readonly self: string
    /** Kept for the heartbeat; a daemon writes a changed report at once. */
    readonly report: (report: NodeReport) => Effect.Effect<void>
    readonly list: Effect.Effect<ReadonlyArray<QueueNode>, QueueIOError>
  }
>() {}
