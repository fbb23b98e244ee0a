import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { Console, Effect, Either, Option } from "effect"
import { frontmatterOf, generatedTaskId } from "../../../domain/NewTaskFields.js"
import { taskLocation } from "../../../domain/QueueUrl.js"
import { isTaskId } from "../../../domain/TaskId.js"
import { setFrontmatterFields } from "../../../domain/TaskText.js"
import { TaskQueue } from "../../../services/TaskQueue.js"
import { badInput } from "../failure.js"
import { configOption, jsonOption } from "../options.js"
import { queueLayer } from "./queueLayer.js"

/** All of stdin (a pipe, a file or a socket: /dev/stdin cannot be opened on a socket). */
const readStdin = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  },
  catch: (e) => new Error(e instanceof Error ? e.message : String(e)),
})

const generatedId = (now: Date) => generatedTaskId(now, Math.random().toString(36).slice(2, 6))

export const addCommand = Command.make(
  "add",
  {
    file: Args.text({ name: "FILE" }).pipe(
      Args.withDescription("task file to add (- for stdin)"),
      Args.optional,
    ),
    text: Options.text("text").pipe(
      Options.withDescription("the prompt, instead of a FILE"),
      Options.optional,
    ),
    id: Options.text("id").pipe(
      Options.withDescription("task id (default: FILE's name, or generated)"),
      Options.optional,
    ),
    priority: Options.integer("priority").pipe(
      Options.withDescription("higher runs first (default 0)"),
      Options.optional,
    ),
    preferredAi: Options.text("preferred-ai").pipe(
      Options.withDescription("claude-code | claude-api | gemini | gpu"),
      Options.optional,
    ),
    allowDelegation: Options.choice("allow-delegation", ["true", "false"]).pipe(Options.optional),
    complexity: Options.choice("complexity", ["low", "medium", "high"]).pipe(Options.optional),
    needsClaudeCode: Options.boolean("needs-claude-code").pipe(
      Options.withDescription("always run in a local Claude Code session"),
    ),
    dependsOn: Options.text("depends-on").pipe(
      Options.withDescription("ids of tasks that must be done first, comma-separated"),
      Options.optional,
    ),
    maxAttempts: Options.integer("max-attempts").pipe(
      Options.withDescription("attempts before failed/ (default pool.max_attempts)"),
      Options.optional,
    ),
    retryBackoff: Options.text("retry-backoff").pipe(
      Options.withDescription("first wait between attempts, e.g. 30s"),
      Options.optional,
    ),
    timeout: Options.text("timeout").pipe(
      Options.withDescription("an attempt fails past this, e.g. 2h"),
      Options.optional,
    ),
    json: jsonOption,
    config: configOption,
  },
  (o) =>
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      const fs = yield* FileSystem.FileSystem
      if (Option.isSome(o.file) === Option.isSome(o.text)) {
        return yield* badInput('give exactly one of a task FILE or --text "prompt"')
      }
      let text: string
      let id: string
      if (Option.isSome(o.file)) {
        const file = o.file.value
        const read: Effect.Effect<string, { readonly message: string }> =
          file === "-" ? readStdin : fs.readFileString(file)
        text = yield* read.pipe(
          Effect.mapError((e) => badInput(`cannot read task file ${file}: ${e.message}`)),
        )
        const base = path.basename(file).replace(/\.md$/, "")
        id = Option.getOrElse(o.id, () => (file === "-" ? generatedId(new Date()) : base))
        if (Option.isNone(o.id) && file !== "-" && !isTaskId(id)) {
          return yield* badInput(
            `file name ${JSON.stringify(path.basename(file))} is not a valid task id: pass --id`,
          )
        }
      } else {
        text = `${Option.getOrThrow(o.text)}\n`
        id = Option.getOrElse(o.id, () => generatedId(new Date()))
      }
      if (text.trim() === "")
        return yield* badInput(
          `task ${id} is empty (${Option.isSome(o.file) ? `nothing in ${o.file.value === "-" ? "stdin" : o.file.value}` : "--text is blank"}): write the prompt`,
        )
      const fields = frontmatterOf({
        priority: Option.getOrUndefined(o.priority),
        preferred_ai: Option.getOrUndefined(o.preferredAi),
        allow_delegation: Option.map(o.allowDelegation, (v) => v === "true").pipe(Option.getOrUndefined),
        complexity: Option.getOrUndefined(o.complexity),
        needs_claude_code: o.needsClaudeCode,
        depends_on: Option.map(o.dependsOn, (v) =>
          v
            .split(",")
            .map((s) => s.trim())
            .filter((s) => s !== ""),
        ).pipe(Option.getOrUndefined),
        max_attempts: Option.getOrUndefined(o.maxAttempts),
        retry_backoff: Option.getOrUndefined(o.retryBackoff),
        timeout: Option.getOrUndefined(o.timeout),
      })
      const withFields = setFrontmatterFields(text, fields)
      if (Either.isLeft(withFields)) return yield* badInput(`task ${id}: ${withFields.left.reason}`)
      yield* queue.enqueue(id, withFields.right)
      const where = taskLocation(queue.root, "pending", id)
      yield* Console.log(o.json ? JSON.stringify({ id, state: "pending", path: where }) : id)
    }),
).pipe(
  Command.withDescription("Add a task to pending/ (validated, written atomically)"),
  Command.provide(({ config }) => queueLayer(config)),
)
