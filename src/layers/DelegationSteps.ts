import { Effect, Ref } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import type { ResultFooter } from "../domain/ResultFooter.js"
import { AppConfig } from "../services/AppConfig.js"
import { SecutoolsClient, type SecutoolsError } from "../services/SecutoolsClient.js"
import { TaskQueue } from "../services/TaskQueue.js"
import { failpoint } from "./failpoint.js"

export const isPermanent = (e: SecutoolsError) => e._tag === "SecutoolsHttpError" && !e.retryable

/** What submitting and reaping share: the services, the counters, posting a job and failing a task. */
export const makeDelegationSteps = Effect.gen(function* () {
  const queue = yield* TaskQueue
  const client = yield* SecutoolsClient
  const settings = (yield* AppConfig).delegation
  const counters = yield* Ref.make({ submitted: 0, completed: 0, failed: 0, submit_errors: 0 })
  const bump = (key: "submitted" | "completed" | "failed" | "submit_errors") =>
    Ref.update(counters, (c) => ({ ...c, [key]: c[key] + 1 }))

  const footer = (
    marker: DelegationMarker,
    over: Partial<ResultFooter> & Pick<ResultFooter, "status">,
  ): ResultFooter => ({
    route: "delegated",
    provider: marker.provider,
    ...(marker.job_id === null ? {} : { job_id: marker.job_id }),
    started_at: marker.submitted_at,
    ...(marker.fallback === undefined ? {} : { fallback: marker.fallback }),
    finished_at: new Date().toISOString(),
    // A failed job (or a submit refused, a deadline passed) is final: no attempts on the platform's side.
    ...(over.status === "failed" ? { cause: "delegation_failed" } : {}),
    ...over,
  })

  /** Moves the task to failed/ with `error`, then drops the marker (in that order: recovery finishes either). */
  const failTask = (marker: DelegationMarker, error: string) =>
    queue.fail(marker.task_id, footer(marker, { status: "failed", error })).pipe(
      Effect.zipRight(bump("failed")),
      Effect.tap(() => Effect.logWarning(`delegated task ${marker.task_id} failed: ${error}`)),
      Effect.catchTag("TaskNotFound", () => Effect.void), // filed already; only the marker was left
      Effect.zipRight(queue.removeMarker(marker.task_id)),
    )

  /** POST with the marker's key; the marker is rewritten with the job id. */
  const post = (
    marker: DelegationMarker,
    task: { readonly body: string; readonly complexity?: string | undefined },
  ) =>
    client
      .submitJob({
        provider: marker.provider,
        prompt: task.body,
        metadata: {
          task_id: marker.task_id,
          ...(task.complexity === undefined ? {} : { complexity_hint: task.complexity }),
        },
        idempotencyKey: marker.idempotency_key,
      })
      .pipe(
        Effect.tap(() => failpoint("delegation:posted")),
        Effect.flatMap((accepted) => {
          const updated = { ...marker, job_id: accepted.job_id }
          return Effect.as(queue.updateMarker(updated), updated)
        }),
      )

  return { queue, client, settings, counters, bump, footer, failTask, post }
})

export type DelegationSteps = Effect.Effect.Success<typeof makeDelegationSteps>
