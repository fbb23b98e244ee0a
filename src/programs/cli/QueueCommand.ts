import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { Console, Effect, Either, Layer, Option } from "effect"
import { parseTask } from "../../domain/Frontmatter.js"
import { parseFooter } from "../../domain/ResultFooter.js"
import { isTaskId } from "../../domain/TaskId.js"
import { setFrontmatterFields } from "../../domain/TaskText.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { TaskQueueFromConfig } from "../../layers/TaskQueueFs.js"
import { TaskQueue, TaskStates } from "../../services/TaskQueue.js"
import { badInput, failure } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

const queueLayer = (config: Option.Option<string>) =>
  TaskQueueFromConfig.pipe(Layer.provide(AppConfigLive(Option.getOrUndefined(config))))

/** All of stdin (a pipe, a file or a socket: /dev/stdin cannot be opened on a socket). */
const readStdin = Effect.tryPromise({
  try: async () => {
    const chunks: Array<Buffer> = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return Buffer.concat(chunks).toString("utf8")
  },
  catch: (e) => new Error(e instanceof Error ? e.message : String(e)),
})

const generatedId = (now: Date) =>
  `task-${now.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15)}-${Math.random().toString(36).slice(2, 6)}`

const add = Command.make(
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
      const fields: Record<string, unknown> = {}
      if (Option.isSome(o.priority)) fields.priority = o.priority.value
      if (Option.isSome(o.preferredAi)) fields.preferred_ai = o.preferredAi.value
      if (Option.isSome(o.allowDelegation)) fields.allow_delegation = o.allowDelegation.value === "true"
      if (Option.isSome(o.complexity)) fields.complexity_hint = o.complexity.value
      if (o.needsClaudeCode) fields.needs_claude_code = true
      const withFields = setFrontmatterFields(text, fields)
      if (Either.isLeft(withFields)) return yield* badInput(`task ${id}: ${withFields.left.reason}`)
      yield* queue.enqueue(id, withFields.right)
      const where = path.join(queue.root, "pending", `${id}.md`)
      yield* Console.log(o.json ? JSON.stringify({ id, state: "pending", path: where }) : id)
    }),
).pipe(
  Command.withDescription("Add a task to pending/ (validated, written atomically)"),
  Command.provide(({ config }) => queueLayer(config)),
)

const list = Command.make(
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
          r.delegated ? "delegated" : "",
          String(r.modified_at),
        ].join("  "),
      )
      yield* Console.log(
        [`${"STATE".padEnd(8)}  ${"ID".padEnd(32)}  PRIO  ${"".padEnd(9)}  MODIFIED`, ...lines].join("\n"),
      )
    }),
).pipe(
  Command.withDescription("List tasks (pending in dispatch order)"),
  Command.provide(({ config }) => queueLayer(config)),
)

const show = Command.make(
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
          result: finished?.footer ?? null,
          text: task.text,
        }),
      )
    }),
).pipe(
  Command.withDescription("Show one task wherever it is"),
  Command.provide(({ config }) => queueLayer(config)),
)

export const queueCommand = Command.make("queue").pipe(
  Command.withDescription("Add, list and inspect tasks"),
  Command.withSubcommands([add, list, show]),
)
