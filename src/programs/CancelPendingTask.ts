import { Effect, Either, Option } from "effect"
import { cancelledDelegatedFooter, cancelledPendingFooter, remoteJobLeft } from "../domain/CancelFooter.js"
import { TaskQueue } from "../services/TaskQueue.js"

/** What cancelling a pending task did: the remote job a delegated one leaves running. */
export interface PendingCancelled {
  readonly id: string
  readonly delegated: boolean
  readonly jobId: string | null
  readonly message: string
}

/**
 * A pending task to failed/ as cancelled (the daemon under its lock, or `ccl queue cancel` when no daemon runs). A
 * delegated one is filed with its job and its marker removed in the same filing (recover finishes a cut one).
 */
export const cancelPendingTask = (id: string, reason: string | undefined, now: Date) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    // A marker that cannot be read still claims the task: it is dropped with it (its job id is lost).
    const marker = yield* queue.readMarker(id).pipe(
      Effect.map(
        Option.map((m) => ({ provider: m.provider, job_id: m.job_id, submitted_at: m.submitted_at })),
      ),
      Effect.catchTag("MarkerCorrupt", () =>
        Effect.succeed(Option.some({ provider: "unknown", job_id: null as string | null })),
      ),
    )
    if (Option.isNone(marker)) {
      yield* queue.fail(id, cancelledPendingFooter(reason, now))
      return { id, delegated: false, jobId: null, message: `cancelled ${id} (was pending)` }
    }
    const [filed] = yield* queue.fileMany([
      { id, into: "failed", footer: cancelledDelegatedFooter(marker.value, reason, now), dropMarker: true },
    ])
    if (filed !== undefined && Either.isLeft(filed)) return yield* filed.left
    const jobId = marker.value.job_id
    return {
      id,
      delegated: true,
      jobId,
      message: `cancelled ${id} (was delegated to ${marker.value.provider}): ${remoteJobLeft(jobId)}`,
    } satisfies PendingCancelled
  })
