import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"
import { TaskStates } from "../../services/TaskQueue.js"
import { Conflict, errorJson } from "./DaemonApiErrors.js"
import { QueueCounts } from "./DaemonApiSchemas.js"

// The queue as the dashboard shows and changes it: one view of every state, one task, add, retry, and a
// session's screen. `ccl queue ...` reads the files itself; these serve the page (and any script).

const Count = Schema.NonNegativeInt

/** `GET /api/queue`: pending in dispatch order with what holds each back, active with its session, recent. */
export const QueueView = Schema.Struct({
  counts: QueueCounts,
  pending: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      priority: Schema.Number,
      waiting: Schema.NullOr(Schema.String),
      title: Schema.String,
      modified_at: Schema.String,
    }),
  ),
  active: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      session: Schema.NullOr(Schema.String),
      attempt: Schema.NullOr(Count),
      since: Schema.NullOr(Schema.String),
      title: Schema.String,
      /** A shared (Postgres) queue: the other node holding it (session, attempt and since are its own). */
      node: Schema.optional(Schema.String),
    }),
  ),
  /** done/ and failed/, newest first. */
  recent: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      state: Schema.Literal("done", "failed"),
      finished_at: Schema.String,
      status: Schema.NullOr(Schema.String),
      route: Schema.NullOr(Schema.String),
      provider: Schema.NullOr(Schema.String),
      cost: Schema.NullOr(Schema.Number),
      error: Schema.NullOr(Schema.String),
      cause: Schema.NullOr(Schema.String),
      title: Schema.String,
    }),
  ),
})
export type QueueView = typeof QueueView.Type

export const QueueQuery = Schema.Struct({
  recent: Schema.optional(
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 500)).annotations({
      message: () => ({ message: "recent must be a whole number from 0 to 500", override: true }),
    }),
  ),
})

/** `GET /api/tasks/{id}`: as `ccl queue show --json` (text as written, the last run's footer apart). */
export const TaskDetail = Schema.Struct({
  id: Schema.String,
  state: Schema.Literal(...TaskStates),
  delegated: Schema.Boolean,
  text: Schema.String,
  result: Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
})
export type TaskDetail = typeof TaskDetail.Type

/**
 * `POST /api/tasks`: the prompt and the fields `ccl queue add` takes as flags; any other key is refused. Values
 * are checked by the queue's own validation, like a file's frontmatter (one line naming the field: 400).
 */
export const AddTaskRequest = Schema.Struct({
  text: Schema.String,
  id: Schema.optional(Schema.String),
  priority: Schema.optional(Schema.Number),
  preferred_ai: Schema.optional(Schema.String),
  allow_delegation: Schema.optional(Schema.Boolean),
  complexity: Schema.optional(Schema.Literal("low", "medium", "high")),
  needs_claude_code: Schema.optional(Schema.Boolean),
  depends_on: Schema.optional(Schema.Array(Schema.String)),
  max_attempts: Schema.optional(Schema.Number),
  retry_backoff: Schema.optional(Schema.String),
  timeout: Schema.optional(Schema.String),
}).annotations({ parseOptions: { onExcessProperty: "error" } })
export type AddTaskRequest = typeof AddTaskRequest.Type

export const TaskAnswer = Schema.Struct({
  id: Schema.String,
  state: Schema.Literal(...TaskStates),
  path: Schema.String,
  message: Schema.String,
})

/** `GET /api/sessions/{name}/screen`: the pane as `capture-pane` shows it now, as plain text. */
export const ScreenView = Schema.Struct({
  name: Schema.String,
  screen: Schema.String,
  captured_at: Schema.String,
})

const RetryRequest = Schema.Struct({}).annotations({ parseOptions: { onExcessProperty: "error" } })

export class TasksGroup extends HttpApiGroup.make("tasks")
  .add(HttpApiEndpoint.get("queue", "/api/queue").setUrlParams(QueueQuery).addSuccess(QueueView))
  .add(
    HttpApiEndpoint.get("task", "/api/tasks/:id")
      .setPath(Schema.Struct({ id: Schema.String }))
      .addSuccess(TaskDetail),
  )
  .add(
    HttpApiEndpoint.post("add", "/api/tasks")
      .setPayload(AddTaskRequest)
      .addSuccess(TaskAnswer, { status: 201 })
      .addError(errorJson(Conflict), { status: 409 }),
  )
  .add(
    HttpApiEndpoint.post("retry", "/api/tasks/:id/retry")
      .setPath(Schema.Struct({ id: Schema.String }))
      .setPayload(RetryRequest)
      .addSuccess(TaskAnswer)
      .addError(errorJson(Conflict), { status: 409 }),
  )
  .add(
    HttpApiEndpoint.get("screen", "/api/sessions/:name/screen")
      .setPath(Schema.Struct({ name: Schema.String }))
      .addSuccess(ScreenView),
  ) {}
