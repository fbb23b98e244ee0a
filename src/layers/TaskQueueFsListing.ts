import * as path from "node:path"
import { Effect, Option } from "effect"
import { MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { taskIdOfFileName, taskIdProblem } from "../domain/TaskId.js"
import { type QueueCounts, type TaskState, TaskStates, type TaskSummary } from "../services/TaskQueue.js"
import type { QueueFolder } from "./TaskQueueFsFolder.js"
import { makeRecentListing } from "./TaskQueueFsRecent.js"

/** Read-only views of the queue: one task, one folder's summaries, the recent results, the counts. */
export const makeQueueListing = (q: QueueFolder) => {
  const { taskPath, readDir } = q

  /**
   * One file's summary (delegated when `markers`, pending/'s marker names, has its marker); undefined for a name
   * that is no task or a file gone before its stat.
   */
  const summaryOf = (state: TaskState, name: string, markers?: ReadonlySet<string>) => {
    const id = taskIdOfFileName(name) ?? (/^(.+)\.dup-\d+\.md$/.exec(name) ? name.slice(0, -3) : undefined)
    if (id === undefined) return Effect.succeed(undefined)
    const p = path.join(q.dir(state), name)
    return q.fs.stat(p).pipe(
      Effect.map(
        (info): TaskSummary => ({
          id,
          state,
          path: p,
          modifiedAt: Option.getOrElse(info.mtime, () => new Date(0)).getTime(),
          delegated: markers?.has(`${id}${MARKER_SUFFIX}`) ?? false,
        }),
      ),
      Effect.orElseSucceed(() => undefined),
    )
  }

  const list = (state: TaskState) =>
    Effect.gen(function* () {
      const names = yield* readDir(state)
      const markers =
        state === "pending" ? new Set(names.filter((n) => n.endsWith(MARKER_SUFFIX))) : undefined
      const rows = yield* Effect.forEach(names, (name) => summaryOf(state, name, markers), {
        concurrency: 16,
      })
      return rows
        .filter((r) => r !== undefined)
        .sort((a, b) => a.modifiedAt - b.modifiedAt || (a.id < b.id ? -1 : 1))
    })

  const finished = makeRecentListing(q, summaryOf)

  const get = (id: string) =>
    Effect.gen(function* () {
      if (taskIdProblem(id) !== undefined) return Option.none()
      for (const state of TaskStates) {
        const p = taskPath(state, id)
        const text = yield* q.readIfExists(p)
        if (Option.isSome(text)) {
          const delegated = state === "pending" && (yield* q.existsPath(q.markerPath(id)))
          return Option.some({ id, state, path: p, text: text.value, delegated })
        }
      }
      return Option.none()
    })

  const counts = Effect.gen(function* () {
    const counts: Record<string, number> = { delegated: 0 }
    for (const state of TaskStates) {
      const names = yield* readDir(state)
      counts[state] = names.filter((n) => taskIdOfFileName(n) !== undefined).length
      if (state === "pending") counts.delegated = names.filter((n) => n.endsWith(MARKER_SUFFIX)).length
    }
    return counts as unknown as QueueCounts
  })

  return { list, recent: finished.recent, forgetFinished: finished.forget, get, counts }
}
