import * as path from "node:path"
import { Args, Command } from "@effect/cli"
import { Console, Effect } from "effect"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { type ImportOutcome, importNames, importTaskFile } from "../../TaskFileImport.js"
import { badInput, CliFailure, describeError } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { queueLayer } from "./queueLayer.js"

/** One outcome as a line (stdout when the file's task is in the queue, stderr when the file stays) and a record. */
const report = (o: ImportOutcome) => {
  switch (o._tag) {
    case "Imported":
      return { ok: true, line: `imported ${o.id}`, json: { id: o.id, file: o.file, status: "imported" } }
    case "Present":
      return {
        ok: true,
        line: `${o.id}: already in ${o.state}/ with the same text: not added again, ${o.file} removed`,
        json: { id: o.id, file: o.file, status: "present", state: o.state },
      }
    case "Clash":
      return {
        ok: false,
        line: `${o.file}: task ${o.id} already exists in ${o.state}/ with another text: file kept; rename it to import it under a new id`,
        json: { id: o.id, file: o.file, status: "exists", state: o.state },
      }
    case "Bad":
      return {
        ok: false,
        line: `${o.file}: ${o.reason}; file kept`,
        json: { file: o.file, status: "bad", error: o.reason },
      }
    case "Gone":
      return { ok: true, line: `${o.file}: gone before it was read`, json: { file: o.file, status: "gone" } }
  }
}

export const importCommand = Command.make(
  "import",
  {
    dir: Args.directory({ name: "DIR", exists: "yes" }).pipe(
      Args.withDescription("a folder of <id>.md task files (e.g. a queue's pending/ or an export)"),
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ dir, json }) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      const names = yield* importNames(dir).pipe(
        Effect.mapError((e) => badInput(`cannot read the folder ${dir}: ${e.message}`)),
      )
      const records: Array<Record<string, unknown>> = []
      let kept = 0
      // The exit code: 2 when a file is bad input (it wins), 1 when only the queue failed.
      let worst: 1 | 2 | undefined
      for (const name of names) {
        const file = path.join(dir, name)
        // A queue that cannot be written fails this file only: it stays, and the next ones are tried.
        const outcome = yield* Effect.either(importTaskFile(file))
        if (outcome._tag === "Left") {
          const line = describeError(outcome.left).line
          kept++
          worst = worst ?? 1
          records.push({ file, status: "error", error: line })
          if (!json) yield* Console.error(`ccl: ${file}: ${line}`)
          continue
        }
        const r = report(outcome.right)
        records.push(r.json)
        if (!r.ok) {
          kept++
          worst = 2
        }
        if (!json) yield* r.ok ? Console.log(r.line) : Console.error(`ccl: ${r.line}`)
      }
      if (json) yield* Console.log(JSON.stringify(records))
      else if (names.length === 0) yield* Console.log(`no *.md task files in ${dir}`)
      if (worst !== undefined)
        return yield* new CliFailure({
          message: `${kept} of ${names.length} files not imported (left in ${dir}); the others are in ${queue.root}`,
          code: worst,
        })
    }),
).pipe(
  Command.withDescription(
    "Add every <id>.md of DIR to the queue; each file is removed once its task is in, bad ones stay (exit 2)",
  ),
  Command.provide(({ config }) => queueLayer(config)),
)
