import { Effect, Either, Layer, Option } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import { newestFinished } from "../domain/FinishedOrder.js"
import { parseTask } from "../domain/Frontmatter.js"
import { comparePending } from "../domain/PendingOrder.js"
import { appendFooter, footerAsHistory, rejectedFooter } from "../domain/ResultFooter.js"
import { isTaskId, taskIdProblem } from "../domain/TaskId.js"
import {
  InvalidTask,
  LOCATE_ORDER,
  type PendingTask,
  TaskElsewhere,
  TaskExists,
  TaskNotFound,
  TaskQueue,
  type TaskState,
  TaskStates,
} from "../services/TaskQueue.js"

interface Entry {
  readonly text: string
  readonly at: number
}

/**
 * An in-memory queue with the same contract as the filesystem one, for unit tests of its callers.
 * `seed` places raw files (valid or not) into pending/ as if written there by hand.
 */
export const makeTaskQueueMemory = (seed: ReadonlyArray<{ id: string; text: string; at?: number }> = []) =>
  Effect.sync(() => {
    const files = new Map<TaskState, Map<string, Entry>>(TaskStates.map((s) => [s, new Map()]))
    const markers = new Map<string, DelegationMarker>()
    let clock = 0
    const at = () => ++clock
    for (const t of seed) files.get("pending")!.set(t.id, { text: t.text, at: t.at ?? at() })
    const bucket = (s: TaskState) => files.get(s)!
    const stateOf = (id: string) => TaskStates.find((s) => bucket(s).has(id))
    const summaries = (state: TaskState) =>
      [...bucket(state)].map(([id, e]) => ({
        id,
        state,
        path: `memory://${state}/${id}.md`,
        modifiedAt: e.at,
        delegated: state === "pending" && markers.has(id),
      }))
    const land = (dest: "done" | "failed", id: string, text: string) => {
      let name = id
      for (let n = 1; bucket(dest).has(name); n++) name = `${id}.dup-${n}`
      bucket(dest).set(name, { text, at: at() })
      return `memory://${dest}/${name}.md`
    }
    const finish = (dest: "done" | "failed") => (id: string, footer: Parameters<typeof appendFooter>[1]) =>
      Effect.suspend(() => {
        const from = (["active", "pending"] as const).find((s) => bucket(s).has(id))
        if (from === undefined) return Effect.fail(new TaskNotFound({ id, where: "active/ or pending/" }))
        const entry = bucket(from).get(id)!
        bucket(from).delete(id)
        return Effect.succeed(land(dest, id, appendFooter(entry.text, footer)))
      })

    return TaskQueue.of({
      root: "memory://",
      enqueue: (id, text) =>
        Effect.suspend((): Effect.Effect<void, InvalidTask | TaskExists> => {
          const bad = taskIdProblem(id)
          if (bad !== undefined) return Effect.fail(new InvalidTask({ id, reason: bad }))
          const parsed = parseTask(text)
          if (Either.isLeft(parsed)) return Effect.fail(new InvalidTask({ id, reason: parsed.left.reason }))
          const existing = stateOf(id)
          if (existing !== undefined) return Effect.fail(new TaskExists({ id, state: existing }))
          bucket("pending").set(id, { text, at: at() })
          return Effect.void
        }),
      listPending: Effect.sync(() => {
        const out: Array<PendingTask> = []
        for (const [id, entry] of [...bucket("pending")]) {
          if (!isTaskId(id) || markers.has(id)) continue
          const parsed = parseTask(entry.text)
          if (Either.isLeft(parsed)) {
            bucket("pending").delete(id)
            land("failed", id, appendFooter(entry.text, rejectedFooter(parsed.left.reason, new Date())))
            continue
          }
          const { frontmatter, body } = parsed.right
          out.push({ id, priority: frontmatter.priority ?? 0, enqueuedAt: entry.at, frontmatter, body })
        }
        return out.sort(comparePending)
      }),
      claim: (id) =>
        Effect.sync(() => {
          const entry = bucket("pending").get(id)
          if (entry === undefined || markers.has(id) || bucket("active").has(id)) return false
          bucket("pending").delete(id)
          bucket("active").set(id, entry)
          return true
        }),
      release: (id) =>
        Effect.sync(() => {
          const entry = bucket("active").get(id)
          if (entry === undefined || bucket("pending").has(id)) return false
          bucket("active").delete(id)
          bucket("pending").set(id, entry)
          return true
        }),
      complete: finish("done"),
      fail: finish("failed"),
      fileMany: (filings) =>
        Effect.forEach(filings, (f) =>
          Effect.either(finish(f.into)(f.id, f.footer)).pipe(
            Effect.tap(() => f.dropMarker === true && markers.delete(f.id)),
          ),
        ),
      createMarker: (marker) =>
        Effect.sync(() => {
          if (markers.has(marker.task_id) || !bucket("pending").has(marker.task_id)) return false
          markers.set(marker.task_id, marker)
          return true
        }),
      readMarker: (id) => Effect.sync(() => Option.fromNullable(markers.get(id))),
      updateMarker: (marker) => Effect.sync(() => void markers.set(marker.task_id, marker)),
      removeMarker: (id) => Effect.sync(() => void markers.delete(id)),
      quarantineMarker: (id) =>
        Effect.sync(() => {
          markers.delete(id)
          return `memory://pending/${id}.md.delegated.corrupt`
        }),
      listMarkers: Effect.sync(() => [...markers.keys()]),
      get: (id) =>
        Effect.sync(() => {
          const state = stateOf(id)
          if (state === undefined) return Option.none()
          const entry = bucket(state).get(id)!
          const delegated = state === "pending" && markers.has(id)
          return Option.some({ id, state, path: `memory://${state}/${id}.md`, text: entry.text, delegated })
        }),
      locate: (id) => Effect.sync(() => Option.fromNullable(LOCATE_ORDER.find((s) => bucket(s).has(id)))),
      requeue: (id) =>
        Effect.suspend((): Effect.Effect<string, TaskNotFound | TaskElsewhere | TaskExists> => {
          const entry = bucket("failed").get(id)
          const where = stateOf(id)
          if (entry === undefined)
            return where === undefined
              ? Effect.fail(new TaskNotFound({ id, where: "the queue" }))
              : Effect.fail(new TaskElsewhere({ id, state: where }))
          const clash = (["pending", "active"] as const).find((s) => bucket(s).has(id))
          if (clash !== undefined) return Effect.fail(new TaskExists({ id, state: clash }))
          bucket("failed").delete(id)
          bucket("pending").set(id, { text: footerAsHistory(entry.text) ?? entry.text, at: at() })
          return Effect.succeed(`memory://pending/${id}.md`)
        }),
      remove: (id) =>
        Effect.suspend((): Effect.Effect<"done" | "failed", TaskNotFound | TaskElsewhere> => {
          const where = stateOf(id)
          if (where === undefined) return Effect.fail(new TaskNotFound({ id, where: "the queue" }))
          if (where !== "done" && where !== "failed")
            return Effect.fail(new TaskElsewhere({ id, state: where }))
          bucket(where).delete(id)
          return Effect.succeed(where)
        }),
      list: (state) => Effect.sync(() => summaries(state)),
      recent: (limit) =>
        Effect.sync(() => newestFinished([...summaries("done"), ...summaries("failed")], limit)),
      counts: Effect.sync(() => ({
        pending: bucket("pending").size,
        active: bucket("active").size,
        done: bucket("done").size,
        failed: bucket("failed").size,
        delegated: markers.size,
      })),
      recover: Effect.succeed({ finishedMoves: [], finishedEnqueues: [], droppedStaging: [] }),
    })
  })

export const TaskQueueMemory = (seed?: ReadonlyArray<{ id: string; text: string; at?: number }>) =>
  Layer.effect(TaskQueue, makeTaskQueueMemory(seed))
