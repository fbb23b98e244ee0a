import * as path from "node:path"
import { FileSystem } from "@effect/platform"
import type { PlatformError } from "@effect/platform/Error"
import { Effect, Either, Layer, Option, Schema } from "effect"
import { DelegationMarker, MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { parseTask } from "../domain/Frontmatter.js"
import { insertSorted } from "../domain/PendingOrder.js"
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

const DIRS = ["tmp", ...TaskStates] as const
const STAGING = /^(pending|done|failed|marker)\.(.+)\.\d+-\d+\.tmp$/

const isReason = (reason: string) => (e: PlatformError) => e._tag === "SystemError" && e.reason === reason
const decodeMarker = Schema.decodeUnknownEither(Schema.parseJson(DelegationMarker))

/** The task queue on a real filesystem: renames inside one root, temp + fsync + link for every write. */
export const makeTaskQueueFs = (root: string) =>
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
          yield* file.writeAll(new TextEncoder().encode(text))
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

    const readIfExists = (p: string) =>
      fs.readFileString(p).pipe(
        Effect.map(Option.some),
        Effect.catchIf(isReason("NotFound"), () => Effect.succeed(Option.none<string>())),
        Effect.mapError(io("read", p)),
      )
    const existsPath = (p: string) => fs.exists(p).pipe(Effect.mapError(io("stat", p)))
    const removeIfExists = (p: string) =>
      fs.remove(p).pipe(
        Effect.catchIf(isReason("NotFound"), () => Effect.void),
        Effect.mapError(io("remove", p)),
      )
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

    // In-process index of pending/: files there are never rewritten in place (they arrive by rename),
    // so a name seen once needs no second read. Only names new since the last scan are read.
    const index = new Map<string, PendingTask>()
    let ordered: Array<PendingTask> = []
    const scanLock = yield* Effect.makeSemaphore(1)
    const forget = (id: string) => {
      if (index.delete(id)) ordered = ordered.filter((t) => t.id !== id)
    }

    const finish = (id: string, dest: "done" | "failed", footer: ResultFooter) =>
      Effect.gen(function* () {
        yield* ensureDirs
        let source: { path: string; text: string } | undefined
        for (const state of ["active", "pending"] as const) {
          const p = taskPath(state, id)
          const text = yield* readIfExists(p)
          if (Option.isSome(text)) {
            source = { path: p, text: text.value }
            break
          }
        }
        if (source === undefined) return yield* new TaskNotFound({ id, where: "active/ or pending/" })
        const final = taskPath(dest, id)
        // A previous attempt already wrote this exact result: finish its move instead of writing a second copy.
        const existing = yield* readIfExists(final)
        if (Option.isSome(existing) && parseFooter(existing.value)?.original === source.text) {
          yield* removeIfExists(source.path)
          forget(id)
          return final
        }
        const staging = stagingPath(dest, id)
        yield* writeDurable(staging, appendFooter(source.text, footer))
        const landed = yield* linkNoClobber(staging, final)
        yield* syncDir(dir(dest))
        yield* removeIfExists(staging)
        yield* removeIfExists(source.path)
        forget(id)
        return landed
      })

    const readPending = (name: string, id: string) =>
      Effect.gen(function* () {
        const p = path.join(dir("pending"), name)
        const info = yield* fs.stat(p).pipe(Effect.option)
        const text = yield* readIfExists(p)
        if (Option.isNone(info) || Option.isNone(text)) return // claimed meanwhile
        const parsed = parseTask(text.value)
        if (Either.isLeft(parsed)) {
          yield* finish(id, "failed", rejectedFooter(parsed.left.reason, new Date())).pipe(
            Effect.catchTag("TaskNotFound", () => Effect.void),
            Effect.tap(() => Effect.logWarning(`task ${id} moved to failed/: ${parsed.left.reason}`)),
          )
          return
        }
        const task: PendingTask = {
          id,
          priority: parsed.right.frontmatter.priority ?? 0,
          enqueuedAt: Option.getOrElse(info.value.mtime, () => new Date(0)).getTime(),
          frontmatter: parsed.right.frontmatter,
          body: parsed.right.body,
        }
        index.set(id, task)
        insertSorted(ordered, task)
      })

    const listPending = scanLock.withPermits(1)(
      Effect.gen(function* () {
        const names = yield* readDir("pending")
        const present = new Set<string>()
        const delegated = new Set<string>()
        const fresh: Array<[string, string]> = []
        for (const name of names) {
          if (name.endsWith(MARKER_SUFFIX)) {
            delegated.add(name.slice(0, -MARKER_SUFFIX.length))
            continue
          }
          const id = taskIdOfFileName(name)
          if (id === undefined) continue
          present.add(id)
          if (!index.has(id)) fresh.push([name, id])
        }
        if (index.size > present.size - fresh.length) {
          for (const id of index.keys()) if (!present.has(id)) index.delete(id)
          ordered = ordered.filter((t) => index.has(t.id))
        }
        yield* Effect.forEach(fresh, ([name, id]) => readPending(name, id), {
          concurrency: 16,
          discard: true,
        })
        return delegated.size === 0 ? ordered.slice() : ordered.filter((t) => !delegated.has(t.id))
      }),
    )

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

    const recover = Effect.gen(function* () {
      const finishedMoves: Array<string> = []
      const finishedEnqueues: Array<string> = []
      const droppedStaging: Array<string> = []
      for (const name of yield* readDir("tmp")) {
        const m = STAGING.exec(name)
        if (m === null) continue
        const [, kind, id] = m as unknown as [string, string, string]
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
          yield* writeDurable(staging, text)
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
          const linked = yield* fs.link(taskPath("active", id), taskPath("pending", id)).pipe(
            Effect.as(true),
            Effect.catchIf(isReason("NotFound"), () => Effect.succeed(false)),
            Effect.mapError(io("release", taskPath("active", id))),
          )
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
export const TaskQueueFs = (root: string) => Layer.effect(TaskQueue, makeTaskQueueFs(root))

/** The real queue at the configured root. */
export const TaskQueueFromConfig = Layer.unwrapEffect(
  Effect.map(AppConfig, (settings) => TaskQueueFs(settings.queue)),
)
