import * as path from "node:path"
import { Effect, Option } from "effect"
import { footerAsHistory, parseFooter } from "../domain/ResultFooter.js"
import { taskIdOfFileName, taskIdProblem } from "../domain/TaskId.js"
import { TaskElsewhere, TaskExists, TaskNotFound } from "../services/TaskQueue.js"
import { failpoint } from "./failpoint.js"
import { isReason, type QueueFolder } from "./TaskQueueFsFolder.js"

// The operator's moves out of the finished folders: a retry (failed -> pending) and a removal.

/** The text a failed task goes back to pending/ with: its footer kept as history (a file without one as it is). */
export const requeuedText = (failedText: string): string => footerAsHistory(failedText) ?? failedText

const unknown = (id: string) => new TaskNotFound({ id, where: "the queue" })

export const makeRequeue = (q: QueueFolder) => {
  const { taskPath } = q

  const whereElse = (id: string) =>
    Effect.flatMap(
      q.locate(id),
      (where): Effect.Effect<never, TaskElsewhere | TaskNotFound> =>
        Option.isSome(where)
          ? Effect.fail(new TaskElsewhere({ id, state: where.value }))
          : Effect.fail(unknown(id)),
    )

  /**
   * Staged, linked into pending/ (the folder synced), and only then unlinked from failed/. A crash before the link
   * leaves the task in failed/ (recover drops the staging: the retry is simply not done); after it, recover sees the
   * same text in pending/ and failed/'s text made history, and removes the failed/ copy (finishRequeues).
   */
  const requeue = (id: string) =>
    Effect.gen(function* () {
      if (taskIdProblem(id) !== undefined) return yield* unknown(id)
      yield* q.ensureDirs
      const failedPath = taskPath("failed", id)
      const failed = yield* q.readIfExists(failedPath)
      if (Option.isNone(failed)) return yield* whereElse(id)
      const text = requeuedText(failed.value)
      for (const state of ["pending", "active"] as const) {
        const there = yield* q.readIfExists(taskPath(state, id))
        if (Option.isNone(there)) continue
        // The very text this retry writes: an earlier retry was cut before its unlink. Finish it.
        if (there.value !== text) return yield* new TaskExists({ id, state })
        yield* q.removeIfExists(failedPath)
        return taskPath(state, id)
      }
      const staging = q.stagingPath("pending", id)
      yield* q
        .writeDurable(staging, text)
        .pipe(Effect.tapError(() => Effect.ignore(q.removeIfExists(staging))))
      const pendingPath = taskPath("pending", id)
      const linked = yield* q.fs.link(staging, pendingPath).pipe(
        Effect.as(true),
        Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
        Effect.mapError(q.io("link", pendingPath)),
        Effect.ensuring(Effect.ignore(q.removeIfExists(staging))),
      )
      if (!linked) return yield* new TaskExists({ id, state: "pending" })
      yield* q.syncDir(q.dir("pending"))
      yield* failpoint("queue:requeue-linked")
      yield* q.removeIfExists(failedPath)
      return pendingPath
    })

  /** Only from done/ or failed/; a task also in pending/ or active/ (a move under way) is left alone. */
  const remove = (id: string) =>
    Effect.gen(function* () {
      if (taskIdProblem(id) !== undefined) return yield* unknown(id)
      for (const state of ["pending", "active"] as const)
        if (yield* q.existsPath(taskPath(state, id))) return yield* new TaskElsewhere({ id, state })
      for (const state of ["done", "failed"] as const) {
        if (!(yield* q.existsPath(taskPath(state, id)))) continue
        yield* q.removeIfExists(taskPath(state, id))
        return state
      }
      return yield* unknown(id)
    })

  return { requeue, remove }
}

/**
 * Recovery of a retry cut between its link into pending/ and its unlink from failed/: a failed/ task whose retried
 * text is already in pending/ or active/, or already finished again (done/, or failed/ as `<id>.dup-N.md`), is
 * removed from failed/: its footer lives on as history in that copy. Returns the ids finished.
 */
export const finishRequeues = (q: QueueFolder) =>
  Effect.gen(function* () {
    const finished: Array<string> = []
    const failedNames = yield* q.readDir("failed")
    const elsewhere = new Set([
      ...(yield* q.readDir("pending")),
      ...(yield* q.readDir("active")),
      ...(yield* q.readDir("done")),
    ])
    const dups = new Map<string, Array<string>>()
    for (const name of failedNames) {
      const m = /^(.+)\.dup-\d+\.md$/.exec(name)
      if (m !== null) dups.set(m[1]!, [...(dups.get(m[1]!) ?? []), name])
    }
    for (const name of failedNames) {
      const id = taskIdOfFileName(name)
      if (id === undefined || (!elsewhere.has(name) && !dups.has(id))) continue
      const failed = yield* q.readIfExists(q.taskPath("failed", id))
      if (Option.isNone(failed)) continue
      const retried = requeuedText(failed.value)
      const copies = [
        ...(["pending", "active"] as const).map((s) => ({ path: q.taskPath(s, id), whole: true })),
        { path: q.taskPath("done", id), whole: false },
        ...(dups.get(id) ?? []).map((n) => ({ path: path.join(q.dir("failed"), n), whole: false })),
      ]
      for (const copy of copies) {
        const text = yield* q.readIfExists(copy.path)
        if (Option.isNone(text)) continue
        const matches = copy.whole ? text.value === retried : parseFooter(text.value)?.original === retried
        if (!matches) continue
        yield* q.removeIfExists(q.taskPath("failed", id))
        finished.push(id)
        break
      }
    }
    return finished
  })
