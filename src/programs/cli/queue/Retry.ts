import { Args, Command } from "@effect/cli"
import { Effect } from "effect"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { badInput, failure } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { eachTask } from "./eachTask.js"
import { queueLayer } from "./queueLayer.js"

/**
 * failed/ -> pending/. The daemon forgot the task's attempts when it filed it, so the retry starts at attempt 1;
 * a running daemon sees the task arrive in pending/ like any other.
 */
export const retryCommand = Command.make(
  "retry",
  {
    ids: Args.text({ name: "ID" }).pipe(Args.withDescription("failed tasks to run again"), Args.atLeast(1)),
    json: jsonOption,
    config: configOption,
  },
  ({ ids, json }) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      yield* eachTask(ids, "retried", json, (id) =>
        queue.requeue(id).pipe(
          Effect.map((path) => ({
            line: `${id}: back in pending/ (the failed run's footer kept as history)`,
            json: { id, state: "pending", path },
          })),
          Effect.catchTags({
            TaskNotFound: () => Effect.fail(badInput(`task ${id} not found in ${queue.root}`)),
            TaskElsewhere: (e) =>
              Effect.fail(badInput(`task ${id} is in ${e.state}/: only failed tasks can be retried`)),
            TaskExists: (e) =>
              Effect.fail(
                failure(
                  `task ${id} is in failed/ and another task with its id is in ${e.state}/: both left as they are`,
                ),
              ),
          }),
        ),
      )
    }),
).pipe(
  Command.withDescription(
    "Move failed tasks back to pending/ (the failed run kept as history, attempts from 1)",
  ),
  Command.provide(({ config }) => queueLayer(config)),
)
