import { unlinkSync } from "node:fs"
import { unlink } from "node:fs/promises"
import * as path from "node:path"
import type { PlatformError } from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option } from "effect"
import { MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { LOCATE_ORDER, QueueIOError, type TaskState, TaskStates } from "../services/TaskQueue.js"
import { readTaskFileSync } from "./PendingIndex.js"

// The queue's folder on disk and the file operations every part of TaskQueueFs builds on.

const DIRS = ["tmp", ...TaskStates] as const
export type QueueDir = (typeof DIRS)[number]

export const isReason = (reason: string) => (e: PlatformError) =>
  e._tag === "SystemError" && e.reason === reason

/** Paths and primitives of the queue at `root`; one per queue instance (it remembers the folders exist). */
export const makeQueueFolder = (fs: FileSystem.FileSystem, root: string) => {
  const dir = (d: QueueDir) => path.join(root, d)
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
        unlink(p).catch((e: NodeJS.ErrnoException) => (e.code === "ENOENT" ? undefined : Promise.reject(e))),
      catch: (e) =>
        new QueueIOError({ op: "remove", path: p, message: e instanceof Error ? e.message : String(e) }),
    })
  /** removeIfExists without the thread pool round trip, for batches (fileMany): an unlink is microseconds. */
  const removeNow = (p: string) =>
    Effect.try({
      try: () => {
        try {
          unlinkSync(p)
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
        }
      },
      catch: (e) =>
        new QueueIOError({ op: "remove", path: p, message: e instanceof Error ? e.message : String(e) }),
    })
  const readDir = (d: QueueDir) =>
    ensureDirs.pipe(Effect.zipRight(fs.readDirectory(dir(d)).pipe(Effect.mapError(io("list", dir(d))))))

  const stateOf = (id: string) =>
    Effect.gen(function* () {
      for (const state of TaskStates) if (yield* existsPath(taskPath(state, id))) return Option.some(state)
      return Option.none<TaskState>()
    })

  /** Where a task is, finished folders first: a move in progress already counts as finished (its copy is whole). */
  const locate = (id: string) =>
    Effect.gen(function* () {
      for (const state of LOCATE_ORDER) if (yield* existsPath(taskPath(state, id))) return Option.some(state)
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

  return {
    fs,
    dir,
    taskPath,
    markerPath,
    stagingPath,
    io,
    ensureDirs,
    writeDurableRaw,
    writeDurable,
    syncDir,
    readIfExists,
    existsPath,
    locate,
    removeIfExists,
    removeNow,
    readDir,
    stateOf,
    linkNoClobber,
  }
}

export type QueueFolder = ReturnType<typeof makeQueueFolder>
