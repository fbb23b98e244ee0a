import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { parseDurationText } from "../../../domain/DurationText.js"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { badInput } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { eachTask } from "./eachTask.js"
import { queueLayer } from "./queueLayer.js"

/** Every task of the finished folders chosen, last changed before `before` (ms): removed, each said. */
const removeAll = (states: ReadonlyArray<"done" | "failed">, before: number, json: boolean) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    const removed: Array<{ id: string; state: string; path: string }> = []
    for (const state of states) {
      for (const t of yield* queue.list(state)) {
        if (t.modifiedAt >= before) continue
        // Also in pending/ or active/ (a move under way, a retry cut short): left for recover, not an error here.
        const gone = yield* queue.remove(t.id).pipe(
          Effect.as(true),
          Effect.catchTags({
            TaskElsewhere: () => Effect.succeed(false),
            TaskNotFound: () => Effect.succeed(false),
          }),
        )
        if (!gone) continue
        removed.push({ id: t.id, state, path: t.path })
        if (!json) yield* Console.log(`removed ${state}/${t.id}`)
      }
    }
    if (json) yield* Console.log(JSON.stringify(removed))
    else if (removed.length === 0)
      yield* Console.log(`nothing to remove in ${states.map((s) => `${s}/`).join(" or ")}`)
  })

export const removeCommand = Command.make(
  "rm",
  {
    ids: Args.text({ name: "ID" }).pipe(
      Args.withDescription("finished tasks (in done/ or failed/) to delete"),
      Args.repeated,
    ),
    allDone: Options.boolean("all-done").pipe(Options.withDescription("every task in done/")),
    allFailed: Options.boolean("all-failed").pipe(Options.withDescription("every task in failed/")),
    olderThan: Options.text("older-than").pipe(
      Options.withDescription("with --all-done / --all-failed: only tasks last changed longer ago (7d, 12h)"),
      Options.optional,
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ ids, allDone, allFailed, olderThan, json }) =>
    Effect.gen(function* () {
      const bulk = allDone || allFailed
      if (ids.length === 0 && !bulk)
        return yield* badInput("name the tasks to remove (ID...), or give --all-done / --all-failed")
      if (ids.length > 0 && bulk)
        return yield* badInput("give task IDs or --all-done / --all-failed, not both")
      if (Option.isSome(olderThan) && !bulk)
        return yield* badInput("--older-than goes with --all-done or --all-failed")
      if (bulk) {
        const age = Option.match(olderThan, { onNone: () => 0, onSome: parseDurationText })
        if (age === undefined)
          return yield* badInput(
            `--older-than ${JSON.stringify(Option.getOrThrow(olderThan))} is not a duration: use 90s, 12h, 7d`,
          )
        const states = [...(allDone ? (["done"] as const) : []), ...(allFailed ? (["failed"] as const) : [])]
        // No --older-than: every one of them, including any written this very millisecond.
        return yield* removeAll(states, age === 0 ? Number.POSITIVE_INFINITY : Date.now() - age, json)
      }
      const queue = yield* TaskQueue
      yield* eachTask(ids, "removed", json, (id) =>
        queue.remove(id).pipe(
          Effect.map((state) => ({ line: `removed ${state}/${id}`, json: { id, state } })),
          Effect.catchTags({
            TaskNotFound: () => Effect.fail(badInput(`task ${id} not found in ${queue.root}`)),
            TaskElsewhere: (e) =>
              Effect.fail(
                badInput(`task ${id} is in ${e.state}/: only tasks in done/ or failed/ can be removed`),
              ),
          }),
        ),
      )
    }),
).pipe(
  Command.withDescription(
    "Delete finished tasks from done/ or failed/ (by id, or --all-done / --all-failed)",
  ),
  Command.provide(({ config }) => queueLayer(config)),
)
