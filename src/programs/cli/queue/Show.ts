import { Args, Command } from "@effect/cli"
import { Console, Effect, Either, Option } from "effect"
import { parseTask } from "../../../domain/Frontmatter.js"
import { parseFooter } from "../../../domain/ResultFooter.js"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { failure } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { queueLayer } from "./queueLayer.js"

export const showCommand = Command.make(
  "show",
  { id: Args.text({ name: "ID" }), json: jsonOption, config: configOption },
  ({ id, json }) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      const found = yield* queue.get(id)
      if (Option.isNone(found)) return yield* failure(`task ${id} not found in ${queue.root}`)
      const task = found.value
      if (!json)
        return yield* Console.log(
          `# ${task.state}: ${task.path}${task.delegated ? " (delegated)" : ""}\n${task.text}`,
        )
      const finished = parseFooter(task.text)
      const parsed = parseTask(finished?.original ?? task.text)
      yield* Console.log(
        JSON.stringify({
          id: task.id,
          state: task.state,
          path: task.path,
          delegated: task.delegated,
          frontmatter: Either.isRight(parsed) ? parsed.right.frontmatter : null,
          error: Either.isLeft(parsed) ? parsed.left.reason : null,
          // The task as written (earlier runs' footers kept as history), and the result of its last run apart.
          text: finished?.original ?? task.text,
          result: finished?.footer ?? null,
        }),
      )
    }),
).pipe(
  Command.withDescription("Show one task wherever it is"),
  Command.provide(({ config }) => queueLayer(config)),
)
