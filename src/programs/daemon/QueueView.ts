import { Effect, Either, Option } from "effect"
import { splitFrontmatter } from "../../domain/Frontmatter.js"
import { taskTitle } from "../../domain/NewTaskFields.js"
import { parseFooter } from "../../domain/ResultFooter.js"
import type { SessionTable } from "../../domain/SessionTable.js"
import { QueueNodes } from "../../services/QueueNodes.js"
import { StateStore } from "../../services/StateStore.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { pendingWaits } from "../PendingWaits.js"
import type { QueueView } from "./DaemonApiTasksSpec.js"

/** The one-line title of a task file's text (its body's first line, the footer left out). */
const titleOf = (text: string) => {
  const original = parseFooter(text)?.original ?? text
  return taskTitle(
    Either.match(splitFrontmatter(original), { onLeft: () => original, onRight: (t) => t.body }),
  )
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * `GET /api/queue`: pending in dispatch order with what holds each back (as `ccl queue list` says it, from the
 * daemon's own state), active with the session that holds it, and the `recent` newest of done/ and failed/ with
 * their footers. Reads the queue like the dispatcher does: an invalid pending file goes to failed/.
 */
export const queueView = Effect.fn("queueView")(function* (table: SessionTable, recent: number) {
  const queue = yield* TaskQueue
  const state = Option.map(yield* Effect.serviceOption(StateStore), (s) => s.get())
  const counts = yield* queue.counts
  const ordered = yield* queue.listPending
  const waits = yield* pendingWaits(ordered, Option.getOrUndefined(state))
  const holders = new Map(table.all().flatMap((s) => (s.task === undefined ? [] : [[s.task.id, s] as const])))

  const textOf = (id: string) =>
    Effect.map(queue.get(id), (t) => Option.match(t, { onNone: () => "", onSome: (s) => s.text }))
  const active: Array<QueueView["active"][number]> = yield* Effect.forEach(yield* queue.list("active"), (t) =>
    Effect.map(textOf(t.id), (text) => {
      const holder = holders.get(t.id)
      return {
        id: t.id,
        session: holder?.name ?? null,
        attempt: holder?.task?.attempt ?? null,
        since: holder?.task === undefined ? null : iso(holder.task.startedAt),
        title: titleOf(text),
      }
    }),
  )

  // A shared queue: the tasks the other nodes hold are active too (the counts include them).
  const nodes = yield* Effect.serviceOption(QueueNodes)
  const elsewhere = Option.isNone(nodes)
    ? []
    : (yield* nodes.value.list).filter((n) => n.name !== nodes.value.self)
  for (const n of elsewhere)
    for (const id of n.tasks)
      active.push({
        id,
        session: null,
        attempt: null,
        since: null,
        title: titleOf(yield* textOf(id)),
        node: n.name,
      })

  const recentTasks = yield* Effect.forEach(yield* queue.recent(recent), (t) =>
    Effect.map(textOf(t.id), (text) => {
      const footer = parseFooter(text)?.footer
      return {
        id: t.id,
        state: t.state === "failed" ? ("failed" as const) : ("done" as const),
        finished_at: footer?.finished_at ?? iso(t.modifiedAt),
        status: footer?.status ?? null,
        route:
          footer === undefined
            ? null
            : footer.fallback
              ? `${footer.route} (fallback: ${footer.fallback})`
              : footer.route,
        provider: footer?.provider ?? null,
        cost: footer?.cost_usd ?? null,
        error: footer?.error ?? null,
        cause: footer?.cause ?? null,
        title: titleOf(text),
      }
    }),
  )

  return {
    counts,
    pending: ordered.map((t) => ({
      id: t.id,
      priority: t.priority,
      waiting: waits.get(t.id) ?? null,
      title: taskTitle(t.body),
      modified_at: iso(t.enqueuedAt),
    })),
    active,
    recent: recentTasks,
  } satisfies QueueView
})
