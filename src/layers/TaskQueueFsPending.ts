import { watch as watchDir } from "node:fs"
import * as path from "node:path"
import { Effect, Either } from "effect"
import { MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import { type ResultFooter, rejectedFooter } from "../domain/ResultFooter.js"
import { taskIdOfFileName } from "../domain/TaskId.js"
import { type PendingTask, QueueIOError, type TaskNotFound } from "../services/TaskQueue.js"
import { type PendingIndex, readTaskFileSync } from "./PendingIndex.js"
import type { QueueFolder } from "./TaskQueueFsFolder.js"

const INGEST_BATCH = 256
const FULL_SCAN_EVERY_MS = 10_000

/**
 * `listPending`: pending/ read into `index`, either listed whole or (with `watch`) from the names a watch
 * reported. `fail` files a task that does not parse into failed/.
 */
export const makePendingListing = (
  q: QueueFolder,
  index: PendingIndex,
  fail: (id: string, footer: ResultFooter) => Effect.Effect<string, TaskNotFound | QueueIOError>,
  watch: boolean,
) =>
  Effect.gen(function* () {
    const scanLock = yield* Effect.makeSemaphore(1)
    let watching = false

    /** Reads new task files into the index in batches; invalid ones go to failed/ with the reason. */
    const ingest = (fresh: ReadonlyArray<readonly [string, string]>) =>
      Effect.gen(function* () {
        const rejected: Array<[string, string]> = []
        const read: Array<PendingTask> = []
        for (let i = 0; i < fresh.length; i += INGEST_BATCH) {
          for (const [name, id] of fresh.slice(i, i + INGEST_BATCH)) {
            const p = path.join(q.dir("pending"), name)
            const file = yield* Effect.try({
              try: () => readTaskFileSync(p),
              catch: (e) => new QueueIOError({ op: "read", path: p, message: String(e) }),
            })
            if (file === undefined) continue // claimed or removed meanwhile
            const parsed = parseTask(file.text)
            if (Either.isLeft(parsed)) {
              rejected.push([id, parsed.left.reason])
              continue
            }
            const { frontmatter, body } = parsed.right
            index.add({
              id,
              priority: frontmatter.priority ?? 0,
              enqueuedAt: file.mtimeMs,
              frontmatter,
              body,
            })
          }
          if (i + INGEST_BATCH < fresh.length) yield* Effect.yieldNow()
        }
        index.addMany(read)
        for (const [id, reason] of rejected) {
          yield* fail(id, rejectedFooter(reason, new Date())).pipe(
            Effect.catchTag("TaskNotFound", () => Effect.void),
            Effect.tap(() => Effect.logWarning(`task ${id} moved to failed/: ${reason}`)),
          )
        }
      })

    /** Names a watch reported: only those are looked at. */
    const applyChanges = Effect.gen(function* () {
      const fresh: Array<readonly [string, string]> = []
      for (const name of index.takeChanged()) {
        if (name.endsWith(MARKER_SUFFIX)) {
          const id = name.slice(0, -MARKER_SUFFIX.length)
          index.setDelegated(id, yield* q.existsPath(q.markerPath(id)))
          continue
        }
        const id = taskIdOfFileName(name)
        if (id === undefined) continue
        if (!(yield* q.existsPath(q.taskPath("pending", id)))) index.forget(id)
        else if (!index.has(id)) fresh.push([name, id])
      }
      return fresh
    })

    const listPending = scanLock.withPermits(1)(
      Effect.gen(function* () {
        const now = performance.now()
        const full = !watching || index.lastFullScan === 0 || now - index.lastFullScan > FULL_SCAN_EVERY_MS
        if (full) index.takeChanged() // the listing below covers them; later events stay for the next call
        const fresh = full ? index.reconcile(yield* q.readDir("pending"), now) : yield* applyChanges
        yield* ingest(fresh)
        return index.list()
      }),
    )

    // Incremental updates from inotify; a full listing still runs every FULL_SCAN_EVERY_MS as a safety net,
    // and after any watch failure (or when the folders cannot be made yet: listPending will say why).
    // node's fs.watch registers synchronously, so no event between this point and the first scan is lost
    // (the platform's watch Stream registers later, asynchronously).
    if (
      watch &&
      (yield* q.ensureDirs.pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false),
      ))
    ) {
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const watcher = watchDir(q.dir("pending"), (_event, name) => {
            if (name) index.noteChanged(name.toString())
          })
          watcher.on("error", () => {
            watching = false
          })
          watching = true
          return watcher
        }),
        (watcher) => Effect.sync(() => watcher.close()),
      )
    }

    return listPending
  })
