import * as path from "node:path"
import { Args, Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { Console, Effect, Either, Layer, Option } from "effect"
import { parseDurationText } from "../../domain/DurationText.js"
import { parseTask } from "../../domain/Frontmatter.js"
import { isTerminal } from "../../domain/Job.js"
import { taskLocation } from "../../domain/QueueUrl.js"
import { taskIdOfFileName } from "../../domain/TaskId.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { DelegationLive } from "../../layers/DelegationLive.js"
import { SecutoolsClientFromConfig } from "../../layers/SecutoolsClientHttp.js"
import { TaskQueueFromConfig } from "../../layers/TaskQueueFromConfig.js"
import { AppConfig } from "../../services/AppConfig.js"
import { Delegation } from "../../services/Delegation.js"
import { Router } from "../../services/Router.js"
import { SecutoolsClient } from "../../services/SecutoolsClient.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { makeDecideCommand } from "./DecideCommand.js"
import { badInput, failure } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

const configLayer = (config: Option.Option<string>) => AppConfigLive(Option.getOrUndefined(config))
const clientLayer = (config: Option.Option<string>) =>
  Layer.provideMerge(SecutoolsClientFromConfig, configLayer(config))
const delegationLayer = (config: Option.Option<string>) =>
  DelegationLive.pipe(
    Layer.provideMerge(TaskQueueFromConfig),
    Layer.provideMerge(Router.Default),
    Layer.provideMerge(clientLayer(config)),
  )

const submit = Command.make(
  "submit",
  {
    file: Args.text({ name: "FILE" }).pipe(
      Args.withDescription("a task file (added to the queue if not in it)"),
    ),
    provider: Options.text("provider").pipe(
      Options.withDescription("delegate to this provider instead of asking the router"),
      Options.optional,
    ),
    config: configOption,
  },
  ({ file, provider }) =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const queue = yield* TaskQueue
      const settings = yield* AppConfig
      const text = yield* fs
        .readFileString(file)
        .pipe(Effect.mapError((e) => badInput(`cannot read task file ${file}: ${e.message}`)))
      const parsed = parseTask(text)
      if (Either.isLeft(parsed)) return yield* badInput(`${file}: ${parsed.left.reason}`)
      let chosen: string
      if (Option.isSome(provider)) {
        if (!settings.delegation.providers.includes(provider.value)) {
          return yield* badInput(
            `--provider ${provider.value} is not one of delegation.providers (${settings.delegation.providers.join(", ")})`,
          )
        }
        chosen = provider.value
      } else {
        const decision = (yield* Router).decide(parsed.right.frontmatter)
        if (decision.route === "local") {
          return yield* failure(
            `${file} routes local (${decision.reason}): pass --provider to delegate it anyway`,
          )
        }
        chosen = decision.provider
      }
      const id = taskIdOfFileName(path.basename(file))
      if (id === undefined) return yield* badInput(`${path.basename(file)} is not a task file name (<id>.md)`)
      // A file already in pending/ is submitted where it is; any other file is added to the queue first.
      if (path.resolve(file) !== taskLocation(queue.root, "pending", id)) yield* queue.enqueue(id, text)
      const submitted = yield* (yield* Delegation).submit(
        { id, priority: 0, enqueuedAt: 0, frontmatter: parsed.right.frontmatter, body: parsed.right.body },
        chosen,
      )
      yield* Console.log(JSON.stringify(submitted))
    }),
).pipe(
  Command.withDescription('Delegate a task to secutools: prints {"task_id","job_id","provider"}'),
  Command.provide(({ config }) => delegationLayer(config)),
)

const get = Command.make("get", { jobId: Args.text({ name: "JOB_ID" }), config: configOption }, ({ jobId }) =>
  Effect.flatMap(SecutoolsClient, (client) => client.getJob(jobId)).pipe(
    Effect.flatMap((job) => Console.log(JSON.stringify(job))),
  ),
).pipe(
  Command.withDescription("Print a job as JSON"),
  Command.provide(({ config }) => clientLayer(config)),
)

const result = Command.make(
  "result",
  {
    jobId: Args.text({ name: "JOB_ID" }),
    wait: Options.boolean("wait").pipe(Options.withDescription("wait until the job is finished")),
    timeout: Options.text("timeout").pipe(
      Options.withDescription("how long --wait waits (default 10m)"),
      Options.withDefault("10m"),
    ),
    config: configOption,
  },
  ({ jobId, wait, timeout }) =>
    Effect.gen(function* () {
      const client = yield* SecutoolsClient
      const timeoutMs = parseDurationText(timeout)
      if (timeoutMs === undefined)
        return yield* badInput(`--timeout ${timeout} is not a duration such as 90s or 10m`)
      const job = wait
        ? yield* client.waitForResult(jobId, { intervalMs: 1_000, timeoutMs })
        : yield* client.getJob(jobId)
      if (!isTerminal(job.status))
        return yield* failure(`job ${jobId} is ${job.status}: use --wait to wait for it`)
      if (job.status !== "completed") {
        return yield* failure(`job ${jobId} ${job.status}${job.error === undefined ? "" : `: ${job.error}`}`)
      }
      yield* Console.log(job.result ?? "")
    }),
).pipe(
  Command.withDescription("Print a finished job's result text (exit 1 if it failed)"),
  Command.provide(({ config }) => clientLayer(config)),
)

const reap = Command.make(
  "reap",
  {
    once: Options.boolean("once").pipe(Options.withDescription("one pass, then exit")),
    json: jsonOption,
    config: configOption,
  },
  ({ once, json }) =>
    Effect.gen(function* () {
      const delegation = yield* Delegation
      if (!once) return yield* delegation.runReaper
      yield* (yield* TaskQueue).recover
      const r = yield* delegation.reapOnce
      yield* Console.log(
        json
          ? JSON.stringify(r)
          : `completed ${r.completed.length}, failed ${r.failed.length}, resubmitted ${r.resubmitted.length}, still running ${r.stillRunning}`,
      )
    }),
).pipe(
  Command.withDescription("File finished delegated jobs into done/ or failed/ (once, or until interrupted)"),
  Command.provide(({ config }) => delegationLayer(config)),
)

export const delegateCommand = Command.make("delegate").pipe(
  Command.withDescription("Hand tasks to secutools and collect their results (for bash scripts)"),
  Command.withSubcommands([submit, get, result, makeDecideCommand("decide"), reap]),
)
