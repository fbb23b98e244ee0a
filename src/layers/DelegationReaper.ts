import { Duration, Effect, Either, Option, Schedule } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import type { Job } from "../domain/Job.js"
import type { ReapReport } from "../services/Delegation.js"
import { describeSecutoolsError } from "../services/SecutoolsClient.js"
import type { QueueIOError } from "../services/TaskQueue.js"
import { type DelegationSteps, isPermanent } from "./DelegationSteps.js"

type Outcome = "completed" | "failed" | "resubmitted" | "running"

/** Walks the markers: polls their jobs, files finished ones, resubmits unaccepted ones, fails overdue ones. */
export const makeReaper = ({ queue, client, settings, bump, footer, failTask, post }: DelegationSteps) => {
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

  return { reapOnce, runReaper }
}
