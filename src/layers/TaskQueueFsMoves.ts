import { Effect, Either, Option } from "effect"
import { parseTask } from "../domain/Frontmatter.js"
import { appendFooter, parseFooter, type ResultFooter } from "../domain/ResultFooter.js"
import { taskIdProblem } from "../domain/TaskId.js"
import { InvalidTask, QueueIOError, TaskExists, TaskNotFound } from "../services/TaskQueue.js"
import { failpoint } from "./failpoint.js"
import { isReason, type QueueFolder } from "./TaskQueueFsFolder.js"

// How a task moves between the queue's folders: staged in tmp/, linked into place, the old name unlinked.
// Every step leaves a state recoverQueue (TaskQueueFsRecovery.ts) can finish.

/** The task is in active/ and pending/ with the same text: a release linked it and did not unlink yet. */
export const sameCopies = (q: QueueFolder, id: string) =>
  Effect.gen(function* () {
    const active = yield* q.readIfExists(q.taskPath("active", id))
    const pending = yield* q.readIfExists(q.taskPath("pending", id))
    return Option.isSome(active) && Option.isSome(pending) && active.value === pending.value
  })

/** The task file a finished task is filed from, with its text. */
export const findSource = (q: QueueFolder, id: string, footer: ResultFooter) =>
  Effect.gen(function* () {
    // Delegated tasks are filed from pending/, local ones from active/: look where it most likely is first.
    const order =
      footer.route === "delegated" ? (["pending", "active"] as const) : (["active", "pending"] as const)
    for (const state of order) {
      const p = q.taskPath(state, id)
      const text = yield* q.readIfExists(p)
      if (Option.isSome(text)) return Option.some({ path: p, text: text.value })
    }
    return Option.none<{ readonly path: string; readonly text: string }>()
  })

/** enqueue, claim, release and finish (complete / fail); `forget` drops a task that left pending/ from the index. */
export const makeTaskMoves = (q: QueueFolder, forget: (id: string) => void) => {
  const { fs, io, taskPath, markerPath } = q

  const finish = (id: string, dest: "done" | "failed", footer: ResultFooter) =>
    Effect.gen(function* () {
      yield* q.ensureDirs
      const found = yield* findSource(q, id, footer)
      if (Option.isNone(found)) return yield* new TaskNotFound({ id, where: "active/ or pending/" })
      const source = found.value
      const final = taskPath(dest, id)
      const staging = q.stagingPath(dest, id)
      yield* q.writeDurable(staging, appendFooter(source.text, footer))
      const linked = yield* fs.link(staging, final).pipe(
        Effect.as(true),
        Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
        Effect.mapError(io("link", final)),
      )
      if (!linked) {
        // A previous attempt already filed this very task: finish its move instead of writing a second copy.
        const existing = yield* q.readIfExists(final)
        if (Option.isSome(existing) && parseFooter(existing.value)?.original === source.text) {
          yield* q.removeIfExists(staging)
          yield* q.removeIfExists(source.path)
          forget(id)
          return final
        }
      }
      const landed = linked ? final : yield* q.linkNoClobber(staging, final)
      yield* q.syncDir(q.dir(dest))
      yield* failpoint(`queue:${dest}-linked`)
      yield* q.removeIfExists(staging)
      yield* q.removeIfExists(source.path)
      yield* failpoint(`queue:${dest}-unlinked`)
      forget(id)
      return landed
    })

  const enqueue = (id: string, text: string) =>
    Effect.gen(function* () {
      const badId = taskIdProblem(id)
      if (badId !== undefined) return yield* new InvalidTask({ id, reason: badId })
      const parsed = parseTask(text)
      if (Either.isLeft(parsed)) return yield* new InvalidTask({ id, reason: parsed.left.reason })
      yield* q.ensureDirs
      const existing = yield* q.stateOf(id)
      if (Option.isSome(existing)) return yield* new TaskExists({ id, state: existing.value })
      const staging = q.stagingPath("pending", id)
      // A write that fails (disk full) leaves nothing behind in tmp/.
      yield* q
        .writeDurable(staging, text)
        .pipe(Effect.tapError(() => Effect.ignore(q.removeIfExists(staging))))
      const linked = yield* fs.link(staging, taskPath("pending", id)).pipe(
        Effect.as(true),
        Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
        Effect.mapError(io("link", taskPath("pending", id))),
        Effect.ensuring(Effect.ignore(q.removeIfExists(staging))),
      )
      if (!linked) return yield* new TaskExists({ id, state: "pending" })
    })

  const claim = (id: string) =>
    Effect.gen(function* () {
      if (yield* q.existsPath(markerPath(id))) return false
      if (yield* q.existsPath(taskPath("active", id))) return false
      const moved = yield* fs.rename(taskPath("pending", id), taskPath("active", id)).pipe(
        Effect.as(true),
        Effect.catchIf(isReason("NotFound"), () => Effect.succeed(false)),
        Effect.mapError(io("claim", taskPath("pending", id))),
      )
      if (!moved) return false
      // Another process may have delegated it at the same instant: whoever sees the other's claim backs off.
      if (yield* q.existsPath(markerPath(id))) {
        yield* fs
          .rename(taskPath("active", id), taskPath("pending", id))
          .pipe(Effect.mapError(io("unclaim", taskPath("active", id))))
        return false
      }
      forget(id)
      return true
    })

  const release = (id: string) =>
    Effect.gen(function* () {
      const outcome = yield* fs.link(taskPath("active", id), taskPath("pending", id)).pipe(
        Effect.as("linked" as const),
        Effect.catchIf(isReason("NotFound"), () => Effect.succeed("gone" as const)),
        Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed("both" as const)),
        Effect.mapError(io("release", taskPath("active", id))),
      )
      // Already in pending/: an earlier release was cut between its link and its unlink. Finish it.
      const linked = outcome === "linked" || (outcome === "both" && (yield* sameCopies(q, id)))
      if (outcome === "both" && !linked)
        return yield* new QueueIOError({
          op: "release",
          path: taskPath("pending", id),
          message: "another task with this id is already in pending/: both kept",
        })
      if (linked) yield* q.removeIfExists(taskPath("active", id))
      return linked
    })

  return { finish, enqueue, claim, release }
}
