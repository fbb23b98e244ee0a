import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { writeFileDurablyAsync } from "../../../layers/DurableFile.js"
import { TaskQueue, TaskStates } from "../../../services/TaskQueue.js"
import { failure } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { queueLayer } from "./queueLayer.js"

/**
 * `<dir>/<id>.md` holding `text`, whole or not at all (temp + rename + fsync): a reader of the folder (or an
 * import of it) never sees half a task. Readable by the operator's group like any file they write.
 */
const writeTaskFile = (dir: string, id: string, text: string) => {
  const file = path.join(dir, `${id}.md`)
  return Effect.tryPromise({
    try: () => writeFileDurablyAsync(file, text, { mode: 0o644, dirMode: 0o755 }),
    catch: (e) => failure(`cannot write ${file}: ${e instanceof Error ? e.message : String(e)}`),
  }).pipe(Effect.as(file))
}

/**
 * The tasks of one state as the familiar files: each `<id>.md` is exactly the text `ccl queue show` prints for it
 * (done and failed: the task's text and its result footer). The queue is only read; an existing file of the same
 * name is replaced.
 */
export const exportCommand = Command.make(
  "export",
  {
    dir: Args.directory({ name: "DIR" }).pipe(Args.withDescription("the folder to write <id>.md files into")),
    state: Options.choice("state", TaskStates).pipe(
      Options.withDescription("the tasks of this state (default done)"),
      Options.withDefault("done" as const),
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ dir, state, json }) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      const written: Array<{ id: string; path: string }> = []
      for (const summary of yield* queue.list(state)) {
        const task = yield* queue.get(summary.id)
        // Moved on since the listing (a pending task claimed, a done one removed): not this state's any more.
        if (Option.isNone(task) || task.value.state !== state) continue
        const file = yield* writeTaskFile(dir, task.value.id, task.value.text)
        written.push({ id: task.value.id, path: file })
        if (!json) yield* Console.log(`exported ${task.value.id}`)
      }
      if (json) return yield* Console.log(JSON.stringify(written))
      yield* Console.log(
        written.length === 0
          ? `no tasks in ${state}/ of ${queue.root}: nothing written`
          : `${written.length} task${written.length === 1 ? "" : "s"} of ${state}/ written to ${dir}`,
      )
    }),
).pipe(
  Command.withDescription("Write the tasks of one state (default done) as <id>.md files into DIR"),
  Command.provide(({ config }) => queueLayer(config)),
)
