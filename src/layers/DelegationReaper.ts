import { Duration, Effect, Either, Fiber, Option, Schedule } from "effect"
import { type DelegationMarker, sameMarker } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import type { Job } from "../domain/Job.js"
import { DaemonEvents } from "../services/DaemonEvents.js"
import type { ReapReport } from "../services/Delegation.js"
import { describeSecutoolsError } from "../services/SecutoolsClient.js"
import type { Filing, MarkerCorrupt, QueueIOError } from "../services/TaskQueue.js"
import { makeMarkerMemory } from "./DelegationMarkerMemory.js"
import { type DelegationSteps, isPermanent } from "./DelegationSteps.js"

type Outcome = "completed" | "failed" | "resubmitted" | "running" | "gone"
/** What polling one marker decided: an outcome already reached, or a task to file with the cycle's batch. */
type Step = Outcome | { readonly filing: Filing; readonly error?: string }

/** Finished tasks filed at once (one sync of done/ each): large enough to amortise it, small enough not to stall. */
const FILE_BATCH = 256

/** Walks the markers: polls their jobs, files finished ones in batches, resubmits unaccepted ones, fails overdue ones. */
export const makeReaper = ({ queue, client, settings, bump, footer, post }: DelegationSteps) => {
  const memory = makeMarkerMemory(queue)

  const fileFailed = (marker: DelegationMarker, error: string): Step => ({
    filing: {
      id: marker.task_id,
      into: "failed",
      footer: footer(marker, { status: "failed", error }),
      dropMarker: true,
    },
    error,
  })
  const fileFinished = (marker: DelegationMarker, job: Job): Step =>
    job.status === "completed"
      ? {
          filing: {
            id: marker.task_id,
            into: "done",
            footer: footer(marker, {
              status: "completed",
              ...(job.cost_usd === undefined ? {} : { cost_usd: job.cost_usd }),
              ...(job.finished_at === undefined ? {} : { finished_at: job.finished_at }),
              ...(job.result === undefined ? {} : { text: job.result }),
            }),
            dropMarker: true,
          },
        }
      : fileFailed(marker, `job ${job.status}${job.error === undefined ? "" : `: ${job.error}`}`)

  /** A marker without a job id: resubmitted with its key, unless its task left pending/ or its deadline passed. */
  const resubmit = (
    id: string,
    marker: DelegationMarker,
    pastDeadline: boolean,
  ): Effect.Effect<Step, QueueIOError> =>
    Effect.gen(function* () {
      const task = yield* queue.get(id)
      if (Option.isNone(task) || task.value.state !== "pending") {
        // The task left pending/ (finished, or moved by hand): only the marker's removal was interrupted.
        yield* queue.removeMarker(id)
        return Option.isSome(task) && task.value.state === "done" ? "completed" : "failed"
      }
      if (pastDeadline)
        return fileFailed(marker, `not accepted by secutools before its deadline ${marker.deadline_at}`)
      const parsed = parseTask(task.value.text)
      const resubmitted = yield* post(
        marker,
        Either.isRight(parsed)
          ? { body: parsed.right.body, complexity: parsed.right.frontmatter.complexity_hint }
          : { body: task.value.text },
      ).pipe(Effect.either)
      if (resubmitted._tag === "Right") return "resubmitted"
      const e = resubmitted.left
      if (e._tag === "QueueIOError") return yield* e
      yield* bump("submit_errors")
      return isPermanent(e) ? fileFailed(marker, describeSecutoolsError(e)) : "running"
    })

  /** One marker, one step forward. Errors reaching the platform leave the marker for the next cycle. */
  const reapMarker = (id: string, known: DelegationMarker): Effect.Effect<Step, never> =>
    Effect.gen(function* () {
      // Few markers lack a job id (a submit cut short): read afresh before posting on their behalf.
      const read = known.job_id === null ? yield* memory.current(id) : Option.some(known)
      if (Option.isNone(read)) return "gone"
      const marker = read.value
      const pastDeadline = marker.deadline_at !== undefined && Date.now() > Date.parse(marker.deadline_at)
      if (marker.job_id === null) return yield* resubmit(id, marker, pastDeadline)
      const job = yield* client.getJob(marker.job_id).pipe(Effect.either)
      let step: Step = "running"
      if (job._tag === "Left") {
        if (isPermanent(job.left)) step = fileFailed(marker, describeSecutoolsError(job.left))
        else
          yield* Effect.logWarning(
            `job ${marker.job_id} of ${id}: ${describeSecutoolsError(job.left)}; retrying next cycle`,
          )
      } else if (["completed", "failed", "cancelled"].includes(job.right.status))
        step = fileFinished(marker, job.right)
      else if (pastDeadline)
        step = fileFailed(
          marker,
          `job ${marker.job_id} still ${job.right.status} at its deadline ${marker.deadline_at}`,
        )
      if (typeof step === "string") return step
      // About to file on the word of a marker remembered from an earlier cycle: it must still be the one on disk.
      const now = yield* memory.current(id)
      if (Option.isNone(now)) return "gone"
      return sameMarker(now.value, marker) ? step : yield* reapMarker(id, now.value)
    }).pipe(
      Effect.catchAll((e) =>
        Effect.as(
          Effect.logError(`delegated task ${id}: cannot ${e.op} ${e.path}: ${e.message}`),
          "running" as const,
        ),
      ),
    )

  /** A filed task on the daemon's event stream (metrics, notifications), when the reaper runs in a daemon. */
  const told = (f: Filing) =>
    Effect.flatMap(Effect.serviceOption(DaemonEvents), (events) =>
      Option.isNone(events)
        ? Effect.void
        : events.value.publish({
            type: "task",
            id: f.id,
            state: f.into,
            route: "delegated",
            provider: f.footer.provider,
            cause: f.footer.cause,
          }),
    )

  /** Files one batch; each task's outcome, or "running" for one that could not be filed (tried next cycle). */
  const fileBatch = (steps: ReadonlyArray<{ readonly filing: Filing; readonly error?: string }>) =>
    queue.fileMany(steps.map((s) => s.filing)).pipe(
      Effect.flatMap((results) =>
        Effect.forEach(results, (r, i) =>
          Effect.gen(function* () {
            const { filing, error } = steps[i]!
            const outcome: Outcome = filing.into === "done" ? "completed" : "failed"
            if (Either.isRight(r)) {
              yield* bump(outcome)
              yield* told(filing)
              if (error !== undefined)
                yield* Effect.logWarning(`delegated task ${filing.id} failed: ${error}`)
            } else if (r.left._tag === "QueueIOError") {
              yield* Effect.logError(
                `delegated task ${filing.id}: cannot ${r.left.op} ${r.left.path}: ${r.left.message}`,
              )
              return [filing.id, "running"] as const
            } // TaskNotFound: filed already, only the marker was left (and is gone now)
            yield* memory.forget(filing.id)
            return [filing.id, outcome] as const
          }),
        ),
      ),
      Effect.catchAll((e) =>
        Effect.as(
          Effect.logError(`reap cycle: cannot ${e.op} ${e.path}: ${e.message}`),
          steps.map((s) => [s.filing.id, "running"] as const),
        ),
      ),
    )

  /** An unreadable marker is moved aside and its task failed: nobody can tell which job it had. */
  const quarantine = (e: MarkerCorrupt) =>
    Effect.gen(function* () {
      const aside = yield* queue.quarantineMarker(e.id)
      yield* queue
        .fail(e.id, {
          status: "failed",
          route: "delegated",
          provider: "unknown",
          finished_at: new Date().toISOString(),
          error: `delegation marker unreadable (${e.reason}), moved to ${aside}: check secutools for a job of this task before retrying it`,
        })
        .pipe(Effect.catchTag("TaskNotFound", () => Effect.void))
      yield* bump("failed")
      return [e.id, "failed" as Outcome] as const
    }).pipe(
      Effect.catchAll((io) =>
        Effect.as(Effect.logError(`delegated task ${e.id}: cannot ${io.op} ${io.path}: ${io.message}`), [
          e.id,
          "running" as Outcome,
        ] as const),
      ),
    )

  // Polls run `concurrency` at a time (GETs are read-only), FILE_BATCH markers at a time; finished tasks are
  // filed a batch at a time in a fiber of their own while the next polls go on (filing waits on the disk, polling
  // on the network). One batch in flight at once.
  const reapOnce = Effect.gen(function* () {
    const { markers, corrupt } = yield* memory.refresh
    const outcomes: Array<readonly [string, Outcome]> = []
    for (const e of corrupt) outcomes.push(yield* quarantine(e))
    let toFile: Array<{ readonly filing: Filing; readonly error?: string }> = []
    let filing: Fiber.Fiber<ReadonlyArray<readonly [string, Outcome]>> | undefined
    const settle = Effect.suspend(() =>
      filing === undefined ? Effect.void : Effect.map(Fiber.join(filing), (filed) => outcomes.push(...filed)),
    )
    for (let i = 0; i < markers.length; i += FILE_BATCH) {
      const steps = yield* Effect.forEach(
        markers.slice(i, i + FILE_BATCH),
        ([id, marker]) => Effect.map(reapMarker(id, marker), (step) => [id, step] as const),
        { concurrency: settings.concurrency },
      )
      for (const [id, step] of steps) {
        if (typeof step === "string") outcomes.push([id, step])
        else toFile.push(step)
      }
      const last = i + FILE_BATCH >= markers.length
      if (toFile.length < FILE_BATCH && !last) continue
      yield* settle
      filing = toFile.length === 0 ? undefined : yield* Effect.fork(fileBatch(toFile))
      toFile = []
    }
    yield* settle
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
  // Crash recovery once (moves interrupted mid-way), then markers are listed every cycle: they are the truth,
  // and a marker written by another process (`ccl delegate submit`) is picked up the same way.
  const runReaper = queue.recover.pipe(
    Effect.catchAll(logCycleError),
    Effect.zipRight(reapOnce.pipe(Effect.repeat(Schedule.spaced(Duration.millis(settings.pollMs))))),
    Effect.zipRight(Effect.never),
  )

  return { reapOnce, runReaper }
}
