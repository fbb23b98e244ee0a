import { Clock, Effect, Option } from "effect"
import type { DaemonState } from "../domain/DaemonState.js"
import { allSpentUntil, pendingWait } from "../domain/PendingWait.js"
import { resolveDependencies } from "../domain/TaskDependencies.js"
import { AppConfig } from "../services/AppConfig.js"
import { type PendingTask, TaskQueue, type TaskState } from "../services/TaskQueue.js"

/**
 * Why each pending task is not running yet (PendingWait.ts), as the daemon would judge it: its dependencies from
 * the queue, its backoff and the accounts' cooldowns from the daemon's state (`ccl queue list` peeks at
 * state.json, the daemon's API reads its StateStore; undefined: no daemon ever ran).
 */
export const pendingWaits = (pending: ReadonlyArray<PendingTask>, state: DaemonState | undefined) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const queue = yield* TaskQueue
    const now = yield* Clock.currentTimeMillis
    const pendingIds = new Set(pending.map((t) => t.id))
    const withDeps = pending.filter((t) => (t.frontmatter.depends_on?.length ?? 0) > 0)
    const located = new Map<string, TaskState | undefined>()
    for (const t of withDeps)
      for (const id of t.frontmatter.depends_on ?? [])
        if (!pendingIds.has(id) && !located.has(id))
          located.set(id, Option.getOrUndefined(yield* queue.locate(id)))
    const readiness = resolveDependencies(
      withDeps.map((t) => ({ id: t.id, dependsOn: t.frontmatter.depends_on ?? [] })),
      (id) => (pendingIds.has(id) ? "pending" : located.get(id)),
    )
    const spentUntil = allSpentUntil(
      settings.accounts.map((a) => a.name),
      state?.cooldowns ?? {},
      now,
    )
    const waits = new Map<string, string>()
    for (const t of pending) {
      const wait = pendingWait({
        readiness: readiness.get(t.id),
        retryAt: state?.retry_at[t.id],
        lastCause: state?.attempt_log[t.id]?.at(-1)?.cause,
        allSpentUntil: spentUntil,
        now,
      })
      if (wait !== undefined) waits.set(t.id, wait)
    }
    return waits
  })
