import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Clock, Effect, Either, Option } from "effect"
import { frontmatterOf, generatedTaskId } from "../../domain/NewTaskFields.js"
import { parseFooter } from "../../domain/ResultFooter.js"
import { plainScreen } from "../../domain/ScreenLines.js"
import type { SessionTable } from "../../domain/SessionTable.js"
import { taskIdProblem } from "../../domain/TaskId.js"
import { setFrontmatterFields } from "../../domain/TaskText.js"
import type { AppConfig } from "../../services/AppConfig.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { BadRequest, Conflict, NotFound, ServerError } from "./DaemonApiErrors.js"
import { DaemonApi } from "./DaemonApiSpec.js"
import { queueView } from "./QueueView.js"

/** What the tasks group reads of the daemon: its sessions, and a session's screen (undefined: no such pane). */
export interface ApiScreens {
  readonly table: SessionTable
  readonly capture: (name: string) => Effect.Effect<string | undefined, { readonly message: string }>
}

const serverError = (e: { readonly _tag: string; readonly message?: string }) =>
  new ServerError({ message: e.message ? `${e._tag}: ${e.message}` : e._tag })

/** The handlers of DaemonApi's "tasks" group: the dashboard's queue view, one task, add, retry, a screen. */
export const tasksApiHandlers = (screens: ApiScreens) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    // The whole context at start (the StateStore too, when the daemon has one): the view reads it per request.
    const context = yield* Effect.context<TaskQueue | AppConfig>()
    const view = (recent: number) => Effect.mapError(queueView(screens.table, recent), serverError)
    const pendingPath = (id: string) => `${queue.root}/pending/${id}.md`

    return HttpApiBuilder.group(DaemonApi, "tasks", (handlers) =>
      handlers
        .handle("queue", ({ urlParams }) => view(urlParams.recent ?? 30).pipe(Effect.provide(context)))
        .handle("task", ({ path }) =>
          queue.get(path.id).pipe(
            Effect.mapError(serverError),
            Effect.flatMap(
              Option.match({
                onNone: () => Effect.fail(new NotFound({ message: `task ${path.id} not found` })),
                onSome: (t) => {
                  const finished = parseFooter(t.text)
                  return Effect.succeed({
                    id: t.id,
                    state: t.state,
                    delegated: t.delegated,
                    text: finished?.original ?? t.text,
                    result: finished === undefined ? null : { ...finished.footer },
                  })
                },
              }),
            ),
          ),
        )
        .handle("add", ({ payload }) =>
          Effect.gen(function* () {
            const now = yield* Clock.currentTimeMillis
            const id = payload.id ?? generatedTaskId(new Date(now), Math.random().toString(36).slice(2, 6))
            const problem = taskIdProblem(id)
            if (problem !== undefined) return yield* new BadRequest({ message: `id: ${problem}` })
            if (payload.text.trim() === "")
              return yield* new BadRequest({ message: "text is blank: write the prompt" })
            const text = payload.text.endsWith("\n") ? payload.text : `${payload.text}\n`
            const withFields = setFrontmatterFields(text, frontmatterOf(payload))
            if (Either.isLeft(withFields))
              return yield* new BadRequest({ message: `task ${id}: ${withFields.left.reason}` })
            yield* queue.enqueue(id, withFields.right).pipe(
              Effect.catchTags({
                TaskExists: (e) =>
                  Effect.fail(new Conflict({ message: `task ${id} exists already (in ${e.state}/)` })),
                InvalidTask: (e) => Effect.fail(new BadRequest({ message: `task ${id}: ${e.reason}` })),
                QueueIOError: (e) => Effect.fail(serverError(e)),
              }),
            )
            return {
              id,
              state: "pending" as const,
              path: pendingPath(id),
              message: `${id} added to pending/`,
            }
          }),
        )
        .handle("retry", ({ path }) =>
          queue.requeue(path.id).pipe(
            Effect.map((where) => ({
              id: path.id,
              state: "pending" as const,
              path: where,
              message: `${path.id}: back in pending/ (the failed run's footer kept as history)`,
            })),
            Effect.catchTags({
              TaskNotFound: () => Effect.fail(new NotFound({ message: `task ${path.id} not found` })),
              TaskElsewhere: (e) =>
                Effect.fail(
                  new Conflict({
                    message: `task ${path.id} is in ${e.state}/: only failed tasks can be retried`,
                  }),
                ),
              TaskExists: (e) =>
                Effect.fail(
                  new Conflict({
                    message: `another task with id ${path.id} is in ${e.state}/: nothing moved`,
                  }),
                ),
              QueueIOError: (e) => Effect.fail(serverError(e)),
            }),
          ),
        )
        .handle("screen", ({ path }) =>
          Effect.gen(function* () {
            if (screens.table.get(path.name) === undefined)
              return yield* new NotFound({ message: `no session ${path.name} in this daemon` })
            const screen = yield* screens
              .capture(path.name)
              .pipe(Effect.mapError((e) => new ServerError({ message: e.message })))
            if (screen === undefined)
              return yield* new NotFound({ message: `session ${path.name} has no pane (it is dead)` })
            const now = yield* Clock.currentTimeMillis
            return { name: path.name, screen: plainScreen(screen), captured_at: new Date(now).toISOString() }
          }),
        ),
    )
  })
