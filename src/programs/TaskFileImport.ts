// One task file from outside the queue (`ccl queue import DIR`, the daemon's inbox) into the queue, through the
// TaskQueue service only, so the file queue and the Postgres queue behave the same. The file is removed only
// after its insert committed: a crash in between leaves the file, and importing it again finds the same text in
// the queue and just removes it (nothing lost, nothing twice). Two importers racing on one file end the same way.

import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Data, Effect, Option } from "effect"
import { parseFooter } from "../domain/ResultFooter.js"
import { taskIdProblem } from "../domain/TaskId.js"
import { QueueIOError, TaskQueue, type TaskState } from "../services/TaskQueue.js"

export type ImportOutcome = Data.TaggedEnum<{
  /** Enqueued into pending, the file removed. */
  Imported: { readonly id: string; readonly file: string }
  /** The queue has this very task already (an import cut short, another importer): the file removed. */
  Present: { readonly id: string; readonly file: string; readonly state: TaskState }
  /** Another task has this id: the file left as it is. */
  Clash: { readonly id: string; readonly file: string; readonly state: TaskState }
  /** Not a task (bad name, empty, bad frontmatter, unreadable): the file left as it is. */
  Bad: { readonly file: string; readonly reason: string }
  /** Gone before it was read (another importer took it): nothing to do. */
  Gone: { readonly file: string }
}>
export const ImportOutcome = Data.taggedEnum<ImportOutcome>()

/** The files of `dir` an import takes, sorted: `*.md`, not hidden (editors' and copiers' temp files are). */
export const isImportName = (name: string) => name.endsWith(".md") && !name.startsWith(".")

/** The queue holds `text` as task `id`: as written (pending, active), or with its result footer (done, failed). */
const sameTask = (stored: string, text: string) => stored === text || parseFooter(stored)?.original === text

/** The file names an import of `dir` takes, sorted (the order tasks were enqueued in is their tie-break). */
export const importNames = Effect.fn("TaskFileImport.names")(function* (dir: string) {
  const fs = yield* FileSystem.FileSystem
  return (yield* fs.readDirectory(dir)).filter(isImportName).sort()
})

/** Imports `file`; fails only when the queue itself cannot be written (QueueIOError: the file stays). */
export const importTaskFile = Effect.fn("TaskFileImport.file")(function* (file: string) {
  const fs = yield* FileSystem.FileSystem
  const queue = yield* TaskQueue
  const id = path.basename(file).replace(/\.md$/, "")
  const problem = taskIdProblem(id)
  if (problem !== undefined)
    return ImportOutcome.Bad({ file, reason: `${problem} (the file name is the id): rename the file` })
  const read = yield* fs.readFileString(file).pipe(Effect.either)
  if (read._tag === "Left") {
    if (read.left._tag === "SystemError" && read.left.reason === "NotFound")
      return ImportOutcome.Gone({ file })
    return ImportOutcome.Bad({ file, reason: `cannot read it: ${read.left.message}` })
  }
  const text = read.right
  if (text.trim() === "") return ImportOutcome.Bad({ file, reason: `task ${id} is empty: write the prompt` })
  const enqueued = yield* queue.enqueue(id, text).pipe(
    Effect.as(Option.none<ImportOutcome>()),
    Effect.catchTags({
      InvalidTask: (e) =>
        Effect.succeed(Option.some(ImportOutcome.Bad({ file, reason: `task ${id}: ${e.reason}` }))),
      TaskExists: (e) =>
        Effect.map(queue.get(id), (stored) =>
          Option.some(
            Option.isSome(stored) && sameTask(stored.value.text, text)
              ? ImportOutcome.Present({ id, file, state: stored.value.state })
              : ImportOutcome.Clash({ id, file, state: e.state }),
          ),
        ),
    }),
  )
  const outcome = Option.getOrElse(enqueued, () => ImportOutcome.Imported({ id, file }))
  if (outcome._tag === "Imported" || outcome._tag === "Present") yield* removeImported(file)
  return outcome
})

/** The file's task is durable in the queue: the file goes (already gone: another importer removed it). */
const removeImported = (file: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.remove(file)).pipe(
    Effect.catchIf(
      (e) => e._tag === "SystemError" && e.reason === "NotFound",
      () => Effect.void,
    ),
    Effect.mapError(
      (e) => new QueueIOError({ op: "remove the imported file", path: file, message: e.message }),
    ),
  )
