import { watch as watchDir } from "node:fs"
import { unlink } from "node:fs/promises"
import * as path from "node:path"
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Either, Layer, Option, Schema } from "effect"
import { DelegationMarker, MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import { appendFooter, parseFooter, type ResultFooter, rejectedFooter } from "../domain/ResultFooter.js"
import { taskIdOfFileName, taskIdProblem } from "../domain/TaskId.js"
import { AppConfig } from "../services/AppConfig.js"
import {
  InvalidTask,
  MarkerCorrupt,
  type PendingTask,
  type QueueCounts,
  QueueIOError,
  TaskExists,
  TaskNotFound,
  TaskQueue,
  type TaskState,
  TaskStates,
  type TaskSummary,
} from "../services/TaskQueue.js"
import { failpoint } from "./failpoint.js"
import { PendingIndex, readTaskFileSync } from "./PendingIndex.js"
import { processAlive } from "./ProcessAlive.js"

const DIRS = ["tmp", ...TaskStates] as const
const INGEST_BATCH = 256
const FULL_SCAN_EVERY_MS = 10_000

export interface TaskQueueFsOptions {
  /** Follow pending/ with a filesystem watch instead of listing it on every call (long-running processes). */
  readonly watch?: boolean
}

const STAGING = /^(pending|done|failed|marker)\.(.+)\.(\d+)-\d+\.tmp$/

const isReason = (reason: string) => (e: PlatformError) => e._tag === "SystemError" && e.reason === reason
const decodeMarker = Schema.decodeUnknownEither(Schema.parseJson(DelegationMarker))

/** The task queue on a real filesystem: renames inside one root, temp + fsync + link for every write. */
export const makeTaskQueueFs = (root: string, options: TaskQueueFsOptions = {}) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = (d: (typeof DIRS)[number]) => path.join(root, d)
    const taskPath = (state: TaskState, id: string) => path.join(root, state, `${id}.md`)
    const markerPath = (id: string) => path.join(root, "pending", `${id}${MARKER_SUFFIX}`)
    const io =
      (op: string, p: string) =>
      (e: PlatformError): QueueIOError =>
        new QueueIOError({ op, path: p, message: e.message })
    let staged = 0
    const stagingPath = (kind: string, id: string) =>
      path.join(dir("tmp"), `${kind}.${id}.${process.pid}-${++staged}.tmp`)

    let dirsReady = false
    const ensureDirs = Effect.suspend(() =>
      dirsReady
        ? Effect.void
        : Effect.forEach(DIRS, (d) =>
            fs
              .makeDirectory(dir(d), { recursive: true, mode: 0o700 })
              .pipe(
                Effect.zipRight(fs.chmod(dir(d), 0o700)),
                Effect.mapError(io("create queue folder", dir(d))),
              ),
          ).pipe(
            Effect.tap(() =>
              Effect.sync(() => {
                dirsReady = true
              }),
            ),
          ),
    )

    /** Writes a new file durably: exclusive create, 0600, full write, fsync. */
    const writeDurableRaw = (p: string, text: string) =>
      Effect.scoped(
        Effect.gen(function* () {
          const file = yield* fs.open(p, { flag: "wx", mode: 0o600 })
          // writeAll of nothing fails (WriteZero): an empty file needs no write.
          if (text !== "") yield* file.writeAll(new TextEncoder().encode(text))
          yield* file.sync
        }),
      )
    const writeDurable = (p: string, text: string) =>
      writeDurableRaw(p, text).pipe(Effect.mapError(io("write", p)))

    /** fsyncs a directory so the entries just linked into it survive a power loss. */
    const syncDir = (p: string) =>
      Effect.scoped(Effect.flatMap(fs.open(p, { flag: "r" }), (f) => f.sync)).pipe(
        Effect.mapError(io("sync", p)),
      )

    // Task, marker and staging files are small: read synchronously, like the index does (PendingIndex.ts).
    const readIfExists = (p: string) =>
      Effect.try({
        try: () => Option.fromNullable(readTaskFileSync(p)?.text),
        catch: (e) =>
          new QueueIOError({ op: "read", path: p, message: e instanceof Error ? e.message : String(e) }),
      })
    const existsPath = (p: string) => fs.exists(p).pipe(Effect.mapError(io("stat", p)))
    // unlink(2), not FileSystem.remove: that is fs.rm, which lstats twice before unlinking, and removals are
    // three of the ~20 file operations of filing a task (BENCHMARKS.md, reaper). Files only, never directories.
    const removeIfExists = (p: string) =>
      Effect.tryPromise({
        try: () =>
          unlink(p).catch((e: NodeJS.ErrnoException) =>
            e.code === "ENOENT" ? undefined : Promise.reject(e),
          ),
        catch: (e) =>
          new QueueIOError({ op: "remove", path: p, message: e instanceof Error ? e.message : String(e) }),
      })
    const readDir = (d: (typeof DIRS)[number]) =>
      ensureDirs.pipe(Effect.zipRight(fs.readDirectory(dir(d)).pipe(Effect.mapError(io("list", dir(d))))))

    const stateOf = (id: string) =>
      Effect.gen(function* () {
        for (const state of TaskStates) if (yield* existsPath(taskPath(state, id))) return Option.some(state)
        return Option.none<TaskState>()
      })

    /** Links `from` to `to` without ever replacing `to`; on a clash keeps both under a suffixed name. */
    const linkNoClobber = (from: string, to: string): Effect.Effect<string, QueueIOError> =>
      Effect.gen(function* () {
        for (let n = 0; ; n++) {
          const target = n === 0 ? to : to.replace(/\.md$/, `.dup-${n}.md`)
          const linked = yield* fs.link(from, target).pipe(
            Effect.as(true),
            Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
            Effect.mapError(io("link", target)),
          )
          if (linked) return target
        }
      })

    const index = new PendingIndex()
    const scanLock = yield* Effect.makeSemaphore(1)
    const forget = (id: string) => index.forget(id)
    let watching = false

    const finish = (id: string, dest: "done" | "failed", footer: ResultFooter) =>
      Effect.gen(function* () {
        yield* ensureDirs
        let source: { path: string; text: string } | undefined
        // Delegated tasks are filed from pending/, local ones from active/: look where it most likely is first.
        const order =
          footer.route === "delegated" ? (["pending", "active"] as const) : (["active", "pending"] as const)
        for (const state of order) {
          const p = taskPath(state, id)
          const text = yield* readIfExists(p)
          if (Option.isSome(text)) {
            source = { path: p, text: text.value }
            break
          }
        }
        if (source === undefined) return yield* new TaskNotFound({ id, where: "active/ or pending/" })
        const final = taskPath(dest, id)
        const staging = stagingPath(dest, id)
        yield* writeDurable(staging, appendFooter(source.text, footer))
        const linked = yield* fs.link(staging, final).pipe(
          Effect.as(true),
          Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
          Effect.mapError(io("link", final)),
        )
        if (!linked) {
          // A previous attempt already filed this very task: finish its move instead of writing a second copy.
          const existing = yield* readIfExists(final)
          if (Option.isSome(existing) && parseFooter(existing.value)?.original === source.text) {
            yield* removeIfExists(staging)
            yield* removeIfExists(source.path)
            forget(id)
            return final
          }
        }
        const landed = linked ? final : yield* linkNoClobber(staging, final)
        yield* syncDir(dir(dest))
        yield* failpoint(`queue:${dest}-linked`)
        yield* removeIfExists(staging)
        yield* removeIfExists(source.path)
        yield* failpoint(`queue:${dest}-unlinked`)
        forget(id)
        return landed
      })

    /** Reads new task files into the index in batches; invalid ones go to failed/ with the reason. */
    const ingest = (fresh: ReadonlyArray<readonly [string, string]>) =>
      Effect.gen(function* () {
        const rejected: Array<[string, string]> = []
        const read: Array<PendingTask> = []
        for (let i = 0; i < fresh.length; i += INGEST_BATCH) {
          for (const [name, id] of fresh.slice(i, i + INGEST_BATCH)) {
            const p = path.join(dir("pending"), name)
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
          yield* finish(id, "failed", rejectedFooter(reason, new Date())).pipe(
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
          index.setDelegated(id, yield* existsPath(markerPath(id)))
          continue
        }
        const id = taskIdOfFileName(name)
        if (id === undefined) continue
        if (!(yield* existsPath(taskPath("pending", id)))) index.forget(id)
        else if (!index.has(id)) fresh.push([name, id])
      }
      return fresh
    })

    const listPending = scanLock.withPermits(1)(
      Effect.gen(function* () {
        const now = performance.now()
        const full = !watching || index.lastFullScan === 0 || now - index.lastFullScan > FULL_SCAN_EVERY_MS
        if (full) index.takeChanged() // the listing below covers them; later events stay for the next call
        const fresh = full ? index.reconcile(yield* readDir("pending"), now) : yield* applyChanges
        yield* ingest(fresh)
        return index.list()
      }),
    )

    // Incremental updates from inotify; a full listing still runs every FULL_SCAN_EVERY_MS as a safety net,
    // and after any watch failure (or when the folders cannot be made yet: listPending will say why).
    // node's fs.watch registers synchronously, so no event between this point and the first scan is lost
    // (the platform's watch Stream registers later, asynchronously).
    if (
      options.watch &&
      (yield* ensureDirs.pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false),
      ))
    ) {
      yield* Effect.acquireRelease(
        Effect.sync(() => {
          const watcher = watchDir(dir("pending"), (_event, name) => {
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

    const summaries = (state: TaskState) =>
      Effect.gen(function* () {
        const names = yield* readDir(state)
        const markers =
          state === "pending" ? new Set(names.filter((n) => n.endsWith(MARKER_SUFFIX))) : new Set()
        const out: Array<TaskSummary> = []
        yield* Effect.forEach(
          names,
          (name) => {
            const id =
              taskIdOfFileName(name) ?? (/^(.+)\.dup-\d+\.md$/.exec(name) ? name.slice(0, -3) : undefined)
            if (id === undefined) return Effect.void
            const p = path.join(dir(state), name)
            return fs.stat(p).pipe(
              Effect.tap((info) =>
                out.push({
                  id,
                  state,
                  path: p,
                  modifiedAt: Option.getOrElse(info.mtime, () => new Date(0)).getTime(),
                  delegated: markers.has(`${id}${MARKER_SUFFIX}`),
                }),
              ),
              Effect.ignore,
            )
          },
          { concurrency: 16, discard: true },
        )
        return out.sort((a, b) => a.modifiedAt - b.modifiedAt || (a.id < b.id ? -1 : 1))
      })

    /** The task is in active/ and pending/ with the same text: a release linked it and did not unlink yet. */
    const sameCopies = (id: string) =>
      Effect.gen(function* () {
        const active = yield* readIfExists(taskPath("active", id))
        const pending = yield* readIfExists(taskPath("pending", id))
        return Option.isSome(active) && Option.isSome(pending) && active.value === pending.value
      })

    const recover = Effect.gen(function* () {
      const finishedMoves: Array<string> = []
      const finishedEnqueues: Array<string> = []
      const droppedStaging: Array<string> = []
      for (const name of yield* readDir("tmp")) {
        const m = STAGING.exec(name)
        if (m === null) continue
        const [, kind, id, pid] = m as unknown as [string, string, string, string]
        // Another live process (`ccl queue add`, `ccl delegate reap`) is in the middle of this move: not ours.
        if (Number(pid) !== process.pid && processAlive(Number(pid))) continue
        const staging = path.join(dir("tmp"), name)
        const content = yield* readIfExists(staging)
        if (Option.isNone(content)) continue
        if (kind === "marker") {
          // The rewrite (with the job id) was written but not renamed in: it is the newer marker.
          if (yield* existsPath(markerPath(id))) {
            yield* fs.rename(staging, markerPath(id)).pipe(Effect.mapError(io("rename", staging)))
          } else yield* removeIfExists(staging)
          continue
        }
        if (kind === "pending") {
          const state = yield* stateOf(id)
          if (Option.isNone(state)) {
            yield* linkNoClobber(staging, taskPath("pending", id))
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
          yield* linkNoClobber(staging, taskPath(dest, id)) // never drop the only copy
          finishedMoves.push(id)
        }
        yield* removeIfExists(staging)
      }
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
        if (yield* sameCopies(id)) {
          yield* removeIfExists(taskPath("active", id))
          finishedMoves.push(id)
        }
      }
      return { finishedMoves, finishedEnqueues, droppedStaging }
    })

    return TaskQueue.of({
      root,
      enqueue: (id, text) =>
        Effect.gen(function* () {
          const badId = taskIdProblem(id)
          if (badId !== undefined) return yield* new InvalidTask({ id, reason: badId })
          const parsed = parseTask(text)
          if (Either.isLeft(parsed)) return yield* new InvalidTask({ id, reason: parsed.left.reason })
          yield* ensureDirs
          const existing = yield* stateOf(id)
          if (Option.isSome(existing)) return yield* new TaskExists({ id, state: existing.value })
          const staging = stagingPath("pending", id)
          // A write that fails (disk full) leaves nothing behind in tmp/.
          yield* writeDurable(staging, text).pipe(
            Effect.tapError(() => Effect.ignore(removeIfExists(staging))),
          )
          const linked = yield* fs.link(staging, taskPath("pending", id)).pipe(
            Effect.as(true),
            Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
            Effect.mapError(io("link", taskPath("pending", id))),
            Effect.ensuring(Effect.ignore(removeIfExists(staging))),
          )
          if (!linked) return yield* new TaskExists({ id, state: "pending" })
        }),
      listPending,
      claim: (id) =>
        Effect.gen(function* () {
          if (yield* existsPath(markerPath(id))) return false
          if (yield* existsPath(taskPath("active", id))) return false
          const moved = yield* fs.rename(taskPath("pending", id), taskPath("active", id)).pipe(
            Effect.as(true),
            Effect.catchIf(isReason("NotFound"), () => Effect.succeed(false)),
            Effect.mapError(io("claim", taskPath("pending", id))),
          )
          if (!moved) return false
          // Another process may have delegated it at the same instant: whoever sees the other's claim backs off.
          if (yield* existsPath(markerPath(id))) {
            yield* fs
              .rename(taskPath("active", id), taskPath("pending", id))
              .pipe(Effect.mapError(io("unclaim", taskPath("active", id))))
            return false
          }
          forget(id)
          return true
        }),
      release: (id) =>
        Effect.gen(function* () {
          const outcome = yield* fs.link(taskPath("active", id), taskPath("pending", id)).pipe(
            Effect.as("linked" as const),
            Effect.catchIf(isReason("NotFound"), () => Effect.succeed("gone" as const)),
            Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed("both" as const)),
            Effect.mapError(io("release", taskPath("active", id))),
          )
          // Already in pending/: an earlier release was cut between its link and its unlink. Finish it.
          const linked = outcome === "linked" || (outcome === "both" && (yield* sameCopies(id)))
          if (outcome === "both" && !linked)
            return yield* new QueueIOError({
              op: "release",
              path: taskPath("pending", id),
              message: "another task with this id is already in pending/: both kept",
            })
          if (linked) yield* removeIfExists(taskPath("active", id))
          return linked
        }),
      complete: (id, footer) => finish(id, "done", footer),
      fail: (id, footer) => finish(id, "failed", footer),
      createMarker: (marker) =>
        Effect.gen(function* () {
          yield* ensureDirs
          const p = markerPath(marker.task_id)
          const created = yield* writeDurableRaw(p, JSON.stringify(marker, null, 2)).pipe(
            Effect.as(true),
            Effect.catchIf(isReason("AlreadyExists"), () => Effect.succeed(false)),
            Effect.mapError(io("write", p)),
          )
          if (!created) return false
          if (!(yield* existsPath(taskPath("pending", marker.task_id)))) {
            yield* removeIfExists(p) // the task was claimed locally (or removed) meanwhile
            return false
          }
          return true
        }),
      readMarker: (id) =>
        Effect.gen(function* () {
          const text = yield* readIfExists(markerPath(id))
          if (Option.isNone(text)) return Option.none()
          const decoded = decodeMarker(text.value)
          if (Either.isLeft(decoded)) {
            return yield* new MarkerCorrupt({
              id,
              path: markerPath(id),
              reason: decoded.left.message.split("\n")[0]!,
            })
          }
          return Option.some(decoded.right)
        }),
      updateMarker: (marker) =>
        Effect.gen(function* () {
          const staging = stagingPath("marker", marker.task_id)
          yield* writeDurable(staging, JSON.stringify(marker, null, 2))
          yield* fs
            .rename(staging, markerPath(marker.task_id))
            .pipe(Effect.mapError(io("rename", markerPath(marker.task_id))))
        }),
      removeMarker: (id) => removeIfExists(markerPath(id)),
      quarantineMarker: (id) => {
        const aside = `${markerPath(id)}.corrupt.${new Date().toISOString().replace(/[:.]/g, "-")}`
        return fs
          .rename(markerPath(id), aside)
          .pipe(Effect.as(aside), Effect.mapError(io("rename", markerPath(id))))
      },
      listMarkers: Effect.map(readDir("pending"), (names) =>
        names.filter((n) => n.endsWith(MARKER_SUFFIX)).map((n) => n.slice(0, -MARKER_SUFFIX.length)),
      ),
      get: (id) =>
        Effect.gen(function* () {
          if (taskIdProblem(id) !== undefined) return Option.none()
          for (const state of TaskStates) {
            const p = taskPath(state, id)
            const text = yield* readIfExists(p)
            if (Option.isSome(text)) {
              const delegated = state === "pending" && (yield* existsPath(markerPath(id)))
              return Option.some({ id, state, path: p, text: text.value, delegated })
            }
          }
          return Option.none()
        }),
      list: summaries,
      counts: Effect.gen(function* () {
        const counts: Record<string, number> = { delegated: 0 }
        for (const state of TaskStates) {
          const names = yield* readDir(state)
          counts[state] = names.filter((n) => taskIdOfFileName(n) !== undefined).length
          if (state === "pending") counts.delegated = names.filter((n) => n.endsWith(MARKER_SUFFIX)).length
        }
        return counts as unknown as QueueCounts
      }),
      recover,
    })
  })

/** The real queue at `root`. */
export const TaskQueueFs = (root: string, options?: TaskQueueFsOptions) =>
  Layer.scoped(TaskQueue, makeTaskQueueFs(root, options))

/** The real queue at the configured root. */
export const TaskQueueFromConfig = Layer.unwrapEffect(
  Effect.map(AppConfig, (settings) => TaskQueueFs(settings.queue)),
)
