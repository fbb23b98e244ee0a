import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { Console, Effect } from "effect"
import { isPostgresQueue } from "../../domain/QueueUrl.js"
import { EXAMPLE_CONFIG } from "../../domain/Settings.js"
import { loadSettings } from "../../layers/AppConfigLive.js"
import { taskQueueFor } from "../../layers/TaskQueueFromConfig.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { badInput, failure } from "./failure.js"

/**
 * Creates `root` and its missing parents one level at a time. Node's recursive mkdir retries forever under
 * /proc (`init --dir /proc/nope` never returned), and a file in the way must say so rather than fail obscurely.
 */
const makeDirs = (root: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const missing: Array<string> = []
    let at = root
    for (;;) {
      const info = yield* fs.stat(at).pipe(Effect.option)
      if (info._tag === "Some") {
        if (info.value.type !== "Directory")
          return yield* Effect.fail(badInput(`cannot create ${root}: ${at} is not a directory`))
        break
      }
      missing.unshift(at)
      const parent = path.dirname(at)
      if (parent === at) break
      at = parent
    }
    for (const dir of missing)
      yield* fs
        .makeDirectory(dir)
        .pipe(Effect.mapError((e) => failure(`cannot create ${root}: ${dir}: ${e.message}`)))
  })

/** `ccl init`: a commented ccl.yaml and the queue folders. Never overwrites a file. */
export const initCommand = Command.make(
  "init",
  {
    // A plain path: Options.directory checks it exists first and reports a missing parent as an internal error.
    dir: Options.text("dir").pipe(
      Options.withDescription("where to write ccl.yaml"),
      Options.withDefault("."),
    ),
  },
  ({ dir }) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const root = path.resolve(dir)
      const file = path.join(root, "ccl.yaml")
      yield* makeDirs(root)
      const written = yield* fs.writeFileString(file, EXAMPLE_CONFIG, { flag: "wx" }).pipe(
        Effect.as(true),
        Effect.catchIf(
          (e) => e._tag === "SystemError" && e.reason === "AlreadyExists",
          () => Effect.succeed(false),
        ),
        Effect.mapError((e) => failure(`cannot write ${file}: ${e.message}`)),
      )
      yield* Console.log(written ? `wrote ${file}` : `kept ${file} (it already exists)`)
      const settings = yield* loadSettings({ file, env: process.env, cwd: root })
      // The folders of a file queue, or the tables of a Postgres one (its migrations), made now.
      yield* Effect.provide(
        Effect.flatMap(TaskQueue, (queue) => queue.counts),
        taskQueueFor(settings),
      )
      yield* fs.makeDirectory(settings.state, { recursive: true, mode: 0o700 }).pipe(
        Effect.zipRight(fs.chmod(settings.state, 0o700)),
        Effect.mapError((e) => failure(`cannot create ${settings.state}: ${e.message}`)),
      )
      yield* Console.log(
        `queue ${settings.queue}${isPostgresQueue(settings.queue) ? " (Postgres)" : "/{tmp,pending,active,done,failed}"}\nstate ${settings.state}`,
      )
      yield* Console.log(`next: edit ${file}, then add a task: ccl queue add --text "hello"`)
    }),
).pipe(Command.withDescription("Write a commented ccl.yaml and create the queue folders"))
