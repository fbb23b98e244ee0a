import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import type { DelegationMarker } from "../domain/DelegationMarker.js"
import { AlreadyClaimed, SubmitDeferred, SubmitRejected } from "../services/Delegation.js"
import { describeSecutoolsError } from "../services/SecutoolsClient.js"
import type { PendingTask } from "../services/TaskQueue.js"
import { type DelegationSteps, isPermanent } from "./DelegationSteps.js"
import { failpoint } from "./failpoint.js"

/** Claims a pending task with a marker, then posts it; a permanent refusal fails it, anything else defers. */
export const makeSubmit =
  ({ queue, settings, bump, failTask, post }: DelegationSteps) =>
  (task: PendingTask, provider: string, fallback?: string) =>
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
        ...(fallback === undefined ? {} : { fallback }),
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
