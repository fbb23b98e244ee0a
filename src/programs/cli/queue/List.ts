import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { peekDaemonState } from "../../../layers/StateStoreFile.js"
import { AppConfig } from "../../../services/AppConfig.js"
import { TaskQueue, TaskStates } from "../../../services/TaskQueue.js"
import { pendingWaits } from "../../PendingWaits.js"
import { configOption, jsonOption } from "../options.js"
import { queueLayerWithConfig } from "./queueLayer.js"

export const listCommand = Command.make(
  "list",
  {
    state: Options.choice("state", TaskStates).pipe(
      Options.withDescription("only this state"),
      Options.optional,
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ state, json }) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      // Reading pending/ through listPending gives dispatch order and moves invalid files to failed/.
      const ordered = yield* queue.listPending
      const waits = yield* pendingWaits(ordered, peekDaemonState((yield* AppConfig).state))
      const priority = new Map(ordered.map((t, i) => [t.id, { priority: t.priority, rank: i + 1 }]))
      const states = Option.match(state, { onNone: () => TaskStates, onSome: (s) => [s] as const })
      const rows: Array<Record<string, unknown>> = []
      for (const s of states) {
        const summaries = yield* queue.list(s)
        const sorted =
          s === "pending"
            ? [...summaries].sort(
                (a, b) => (priority.get(a.id)?.rank ?? 1e9) - (priority.get(b.id)?.rank ?? 1e9),
              )
            : summaries
        for (const t of sorted) {
          rows.push({
            id: t.id,
            state: t.state,
            ...(priority.has(t.id) ? { priority: priority.get(t.id)!.priority } : {}),
            delegated: t.delegated,
            ...(t.node === undefined ? {} : { node: t.node }),
            ...(waits.has(t.id) ? { waiting: waits.get(t.id) } : {}),
            modified_at: new Date(t.modifiedAt).toISOString(),
            path: t.path,
          })
        }
      }
      if (json) return yield* Console.log(JSON.stringify(rows))
      if (rows.length === 0) return yield* Console.log(`no tasks in ${queue.root}`)
      const lines = rows.map((r) =>
        [
          String(r.state).padEnd(8),
          String(r.id).padEnd(32),
          String(r.priority ?? "").padStart(4),
          (r.delegated ? "delegated" : "").padEnd(9),
          String(r.modified_at),
          r.node === undefined ? String(r.waiting ?? "") : `on ${r.node}`,
        ]
          .join("  ")
          .trimEnd(),
      )
      yield* Console.log(
        [
          `${"STATE".padEnd(8)}  ${"ID".padEnd(32)}  PRIO  ${"".padEnd(9)}  ${"MODIFIED".padEnd(24)}  WAITING / NODE`,
          ...lines,
        ].join("\n"),
      )
    }),
).pipe(
  Command.withDescription("List tasks (pending in dispatch order, with what holds each back)"),
  Command.provide(({ config }) => queueLayerWithConfig(config)),
)
