import * as path from "node:path"
import { Effect, Option } from "effect"
import { MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { parseFooter } from "../domain/ResultFooter.js"
import { taskIdOfFileName } from "../domain/TaskId.js"
import { processAlive } from "./ProcessAlive.js"
import type { QueueFolder } from "./TaskQueueFsFolder.js"
import { sameCopies } from "./TaskQueueFsMoves.js"
import { finishRequeues } from "./TaskQueueFsRequeue.js"

const STAGING = /^(pending|done|failed|marker)\.(.+)\.(\d+)-\d+\.tmp$/

/** Finishes the moves of TaskQueueFsMoves.ts (and marker rewrites) that a crash cut at any step. */
export const recoverQueue = (q: QueueFolder) =>
  Effect.gen(function* () {
    const { taskPath, markerPath, readIfExists, existsPath, removeIfExists, readDir } = q
    const finishedMoves: Array<string> = []
    const finishedEnqueues: Array<string> = []
    const droppedStaging: Array<string> = []
    for (const name of yield* readDir("tmp")) {
      const m = STAGING.exec(name)
      if (m === null) continue
      const [, kind, id, pid] = m as unknown as [string, string, string, string]
      // Another live process (`ccl queue add`, `ccl delegate reap`) is in the middle of this move: not ours.
      if (Number(pid) !== process.pid && processAlive(Number(pid))) continue
      const staging = path.join(q.dir("tmp"), name)
      const content = yield* readIfExists(staging)
      if (Option.isNone(content)) continue
      if (kind === "marker") {
        // The rewrite (with the job id) was written but not renamed in: it is the newer marker.
        if (yield* existsPath(markerPath(id))) {
          yield* q.fs.rename(staging, markerPath(id)).pipe(Effect.mapError(q.io("rename", staging)))
        } else yield* removeIfExists(staging)
        continue
      }
      if (kind === "pending") {
        const state = yield* q.stateOf(id)
        if (Option.isNone(state)) {
          yield* q.linkNoClobber(staging, taskPath("pending", id))
          finishedEnqueues.push(id)
        } else droppedStaging.push(name)
        yield* removeIfExists(staging)
        continue
      }
      const dest = kind as "done" | "failed"
      const landed = yield* readIfExists(taskPath(dest, id))
      const sources = [taskPath("active", id), taskPath("pending", id)]
      if (Option.isSome(landed) && landed.value === content.value) {
        for (const s of sources) yield* removeIfExists(s)
        finishedMoves.push(id)
      } else if ((yield* existsPath(sources[0]!)) || (yield* existsPath(sources[1]!))) {
        droppedStaging.push(name) // the source is intact: the move is simply redone later
      } else {
        yield* q.linkNoClobber(staging, taskPath(dest, id)) // never drop the only copy
        finishedMoves.push(id)
      }
      yield* removeIfExists(staging)
    }
    // A retry linked into pending/ and not yet unlinked from failed/: its failed/ copy goes (its footer is history
    // in the retried text, which differs from the footer's original: the loop below leaves such pairs alone).
    finishedMoves.push(...(yield* finishRequeues(q)))
    // Result written and staging cleared, but the source (and a delegation marker) still there.
    const pendingNames = new Set(yield* readDir("pending"))
    const activeNames = new Set(yield* readDir("active"))
    for (const dest of ["done", "failed"] as const) {
      for (const name of yield* readDir(dest)) {
        const id = taskIdOfFileName(name)
        if (id === undefined) continue
        const inPending = pendingNames.has(name)
        const inActive = activeNames.has(name)
        if (inPending || inActive) {
          const finished = yield* readIfExists(taskPath(dest, id))
          const original = Option.isSome(finished) ? parseFooter(finished.value)?.original : undefined
          for (const [present, state] of [
            [inActive, "active"],
            [inPending, "pending"],
          ] as const) {
            if (!present) continue
            const src = yield* readIfExists(taskPath(state, id))
            if (Option.isSome(src) && src.value === original) {
              yield* removeIfExists(taskPath(state, id))
              finishedMoves.push(id)
            }
          }
        }
        if (pendingNames.has(`${id}${MARKER_SUFFIX}`) && !(yield* existsPath(taskPath("pending", id)))) {
          yield* removeIfExists(markerPath(id))
        }
      }
    }
    // A release cut between its link into pending/ and its unlink from active/: pending/ is the truth.
    for (const name of yield* readDir("active")) {
      const id = taskIdOfFileName(name)
      if (id === undefined || !pendingNames.has(name)) continue
      if (yield* sameCopies(q, id)) {
        yield* removeIfExists(taskPath("active", id))
        finishedMoves.push(id)
      }
    }
    return { finishedMoves, finishedEnqueues, droppedStaging }
  })
