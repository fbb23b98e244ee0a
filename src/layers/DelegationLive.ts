import { randomUUID } from "node:crypto"
import { Duration, Effect, Either, Layer, Option, Ref, Schedule } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import type { Job } from "../domain/Job.js"
import type { ResultFooter } from "../domain/ResultFooter.js"
import { AppConfig } from "../services/AppConfig.js"
import {
  AlreadyClaimed,
  Delegation,
  type DelegationCounters,
  type ReapReport,
  SubmitDeferred,
  SubmitRejected,
} from "../services/Delegation.js"
import { describeSecutoolsError, SecutoolsClient, type SecutoolsError } from "../services/SecutoolsClient.js"
import { type PendingTask, type QueueIOError, TaskQueue } from "../services/TaskQueue.js"
import { failpoint } from "./failpoint.js"

const isPermanent = (e: SecutoolsError) => e._tag === "SecutoolsHttpError" && !e.retryable

/** Delegation over the queue and the secutools client; the reaper runs only when `runReaper` is forked. */
export const makeDelegation = Effect.gen(function* () {
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
    finished_at: new Date().toISOString(),
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

  const submit = (task: PendingTask, provider: string) =>
    Effect.gen(function* () {
      const now = new Date()
      const deadlineMs = task.frontmatter.timeout ?? settings.deadlineMs
      const marker: DelegationMarker = {
        task_id: task.id,
        provider,
        idempotency_key: `ccl-${task.id}-${randomUUID()}`,
        job_id: null,
        submitted_at: now.toISOString(),
        state: "delegated_to_secutools",
        deadline_at: new Date(now.getTime() + deadlineMs).toISOString(),
      }
      if (!(yield* queue.createMarker(marker))) return yield* new AlreadyClaimed({ id: task.id })
      yield* failpoint("delegation:marker-created")
      const updated = yield* post(marker, {
        body: task.body,
        complexity: task.frontmatter.complexity_hint,
      }).pipe(
        Effect.catchAll((e) =>
          Effect.gen(function* () {
            if (e._tag === "QueueIOError") return yield* e
            yield* bump("submit_errors")
            const message = describeSecutoolsError(e)
            if (isPermanent(e)) {
              yield* failTask(marker, message)
              return yield* new SubmitRejected({ id: task.id, message })
            }
            return yield* new SubmitDeferred({ id: task.id, message })
          }),
        ),
      )
      yield* bump("submitted")
      return { task_id: task.id, job_id: updated.job_id!, provider }
    })

  /** The task left pending/ (finished, or moved by hand): only the marker's removal was interrupted. */
  const dropStaleMarker = (id: string, task: Option.Option<{ readonly state: string }>) =>
    Effect.as(
      queue.removeMarker(id),
      (Option.isSome(task) && task.value.state === "done" ? "completed" : "failed") as "completed" | "failed",
    )

  const finishJob = (marker: DelegationMarker, job: Job) =>
    job.status === "completed"
      ? queue
          .complete(
            marker.task_id,
            footer(marker, {
              status: "completed",
              ...(job.cost_usd === undefined ? {} : { cost_usd: job.cost_usd }),
              ...(job.finished_at === undefined ? {} : { finished_at: job.finished_at }),
              ...(job.result === undefined ? {} : { text: job.result }),
            }),
          )
          .pipe(
            Effect.zipRight(bump("completed")),
            Effect.catchTag("TaskNotFound", () => Effect.void), // filed already; only the marker was left
            Effect.zipRight(queue.removeMarker(marker.task_id)),
          )
      : failTask(marker, `job ${job.status}${job.error === undefined ? "" : `: ${job.error}`}`)

  type Outcome = "completed" | "failed" | "resubmitted" | "running"

  /** One marker, one step forward. Errors reaching the platform leave the marker for the next cycle. */
  const reapMarker = (id: string): Effect.Effect<Outcome, never> =>
    Effect.gen(function* () {
      const read = yield* queue.readMarker(id).pipe(
        Effect.catchTag("MarkerCorrupt", (e) =>
          Effect.gen(function* () {
            const aside = yield* queue.quarantineMarker(id)
            yield* queue
              .fail(id, {
                status: "failed",
                route: "delegated",
                provider: "unknown",
                finished_at: new Date().toISOString(),
                error: `delegation marker unreadable (${e.reason}), moved to ${aside}: check secutools for a job of this task before retrying it`,
              })
              .pipe(Effect.catchTag("TaskNotFound", () => Effect.void))
            yield* bump("failed")
            return Option.none<DelegationMarker>()
          }),
        ),
      )
      if (Option.isNone(read)) return "failed"
      const marker = read.value
      const pastDeadline = marker.deadline_at !== undefined && Date.now() > Date.parse(marker.deadline_at)
      if (marker.job_id === null) {
        const task = yield* queue.get(id)
        if (Option.isNone(task) || task.value.state !== "pending") return yield* dropStaleMarker(id, task)
        if (pastDeadline) {
          yield* failTask(marker, `not accepted by secutools before its deadline ${marker.deadline_at}`)
          return "failed"
        }
        const parsed = parseTask(task.value.text)
        const resubmitted = yield* post(
          marker,
          Either.isRight(parsed)
            ? { body: parsed.right.body, complexity: parsed.right.frontmatter.complexity_hint }
            : { body: task.value.text },
        ).pipe(Effect.either)
        if (resubmitted._tag === "Left") {
          const e = resubmitted.left
          if (e._tag === "QueueIOError") return yield* e
          yield* bump("submit_errors")
          if (isPermanent(e)) {
            yield* failTask(marker, describeSecutoolsError(e))
            return "failed"
          }
          return "running"
        }
        return "resubmitted"
      }
      const job = yield* client.getJob(marker.job_id).pipe(Effect.either)
      if (job._tag === "Left") {
        if (isPermanent(job.left)) {
          yield* failTask(marker, describeSecutoolsError(job.left))
          return "failed"
        }
        yield* Effect.logWarning(
          `job ${marker.job_id} of ${id}: ${describeSecutoolsError(job.left)}; retrying next cycle`,
        )
        return "running"
      }
      if (
        job.right.status === "completed" ||
        job.right.status === "failed" ||
        job.right.status === "cancelled"
      ) {
        yield* finishJob(marker, job.right)
        return job.right.status === "completed" ? "completed" : "failed"
      }
      if (pastDeadline) {
        yield* failTask(
          marker,
          `job ${marker.job_id} still ${job.right.status} at its deadline ${marker.deadline_at}`,
        )
        return "failed"
      }
      return "running"
    }).pipe(
      Effect.catchAll((e) =>
        Effect.as(
          Effect.logError(`delegated task ${id}: cannot ${e.op} ${e.path}: ${e.message}`),
          "running" as const,
        ),
      ),
    )

  const reapOnce = Effect.gen(function* () {
    const ids = yield* queue.listMarkers
    const outcomes = yield* Effect.forEach(ids, (id) => Effect.map(reapMarker(id), (o) => [id, o] as const), {
      concurrency: settings.concurrency,
    })
    const pick = (o: Outcome) => outcomes.filter(([, x]) => x === o).map(([id]) => id)
    const report: ReapReport = {
      completed: pick("completed"),
      failed: pick("failed"),
      resubmitted: pick("resubmitted"),
      stillRunning: pick("running").length + pick("resubmitted").length,
    }
    return report
  })

  const logCycleError = (e: QueueIOError) =>
    Effect.logError(`reap cycle: cannot ${e.op} ${e.path}: ${e.message}`)
  // Crash recovery once (moves interrupted mid-way), then markers are re-read every cycle: they are the truth,
  // and a marker written by another process (`ccl delegate submit`) is picked up the same way.
  const runReaper = queue.recover.pipe(
    Effect.catchAll(logCycleError),
    Effect.zipRight(
      reapOnce.pipe(
        Effect.catchAll(logCycleError),
        Effect.repeat(Schedule.spaced(Duration.millis(settings.pollMs))),
      ),
    ),
    Effect.zipRight(Effect.never),
  )

  return Delegation.of({
    submit,
    reapOnce,
    runReaper,
    status: Effect.gen(function* () {
      const c = yield* Ref.get(counters)
      const ids = yield* queue.listMarkers
      const markers = yield* Effect.forEach(ids, (id) => Effect.option(queue.readMarker(id)))
      const active = markers.flatMap((m) =>
        Option.isSome(m) && Option.isSome(m.value)
          ? [
              {
                task_id: m.value.value.task_id,
                job_id: m.value.value.job_id,
                provider: m.value.value.provider,
                submitted_at: m.value.value.submitted_at,
              },
            ]
          : [],
      )
      const counts: DelegationCounters = { ...c, active: active.length, retries: yield* client.retries }
      return { counters: counts, active }
    }),
  })
})

export const DelegationLive = Layer.effect(Delegation, makeDelegation)
