import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Layer } from "effect"
import type { ResultFooter } from "../domain/ResultFooter.js"
import { TaskQueue } from "../services/TaskQueue.js"
import { PendingIndex } from "./PendingIndex.js"
import { makeBatchFiling } from "./TaskQueueFsBatch.js"
import { makeQueueFolder } from "./TaskQueueFsFolder.js"
import { makeQueueListing } from "./TaskQueueFsListing.js"
import { makeMarkers } from "./TaskQueueFsMarkers.js"
import { makeTaskMoves } from "./TaskQueueFsMoves.js"
import { makePendingListing } from "./TaskQueueFsPending.js"
import { recoverQueue } from "./TaskQueueFsRecovery.js"
import { makeRequeue } from "./TaskQueueFsRequeue.js"

export interface TaskQueueFsOptions {
  /** Follow pending/ with a filesystem watch instead of listing it on every call (long-running processes). */
  readonly watch?: boolean
}

/** The task queue on a real filesystem: renames inside one root, temp + fsync + link for every write. */
export const makeTaskQueueFs = (root: string, options: TaskQueueFsOptions = {}) =>
  Effect.gen(function* () {
    const folder = makeQueueFolder(yield* FileSystem.FileSystem, root)
    const index = new PendingIndex()
    const forget = (id: string) => index.forget(id)
    const moves = makeTaskMoves(folder, forget)
    const fileMany = makeBatchFiling(folder, forget)
    // A move is several steps (stage, link, unlink): an interruption (SIGTERM, a timeout around the caller) never
    // stops one halfway, so no task is left in two folders by anything short of a crash (which recover repairs).
    const fail = (id: string, footer: ResultFooter) =>
      Effect.uninterruptible(moves.finish(id, "failed", footer))
    const listPending = yield* makePendingListing(folder, index, fail, options.watch === true)
    const listing = makeQueueListing(folder)
    const finished = makeRequeue(folder)
    return TaskQueue.of({
      root,
      enqueue: (id, text) => Effect.uninterruptible(moves.enqueue(id, text)),
      listPending,
      claim: (id) => Effect.uninterruptible(moves.claim(id)),
      release: (id) => Effect.uninterruptible(moves.release(id)),
      complete: (id, footer) => Effect.uninterruptible(moves.finish(id, "done", footer)),
      fail,
      fileMany: (filings) => Effect.uninterruptible(fileMany(filings)),
      ...makeMarkers(folder),
      get: listing.get,
      locate: folder.locate,
      requeue: (id) =>
        Effect.uninterruptible(finished.requeue(id)).pipe(Effect.tap(() => listing.forgetFinished(id))),
      remove: finished.remove,
      list: listing.list,
      recent: listing.recent,
      counts: listing.counts,
      recover: recoverQueue(folder),
    })
  })

/** The real queue at `root`. */
export const TaskQueueFs = (root: string, options?: TaskQueueFsOptions) =>
  Layer.scoped(TaskQueue, makeTaskQueueFs(root, options))
