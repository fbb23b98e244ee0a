// The `queue_inbox` drop folder: every daemon watches it and queues the <id>.md files it finds there, through the
// TaskQueue service (TaskFileImport.ts), so on a shared Postgres queue whichever daemon sees a file first takes it
// and the others find it queued already. A file is removed only once its task is in the queue; a file that cannot
// go in (its id taken by another task, a bad name or frontmatter) moves to <inbox>/rejected/ beside a
// `<name>.reason` file: never lost, never retried in a loop.

import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Clock, Effect, Option } from "effect"
import { writeFileDurablyAsync } from "../../layers/DurableFile.js"
import { AppConfig } from "../../services/AppConfig.js"
import { DispatchControl } from "../../services/DispatchControl.js"
import { importNames, importTaskFile } from "../TaskFileImport.js"
import { watchFolder } from "./FolderWatch.js"

/**
 * A file changed this recently may still be being written (`cp` into the inbox): left for a later pass, so that
 * half a task is never queued, nor rejected as empty. Writers that rename a finished file in are not delayed long.
 */
const SETTLE_MS = 1_000

/** A file's size and mtime when a look first saw them so (ms), for files too young to take yet. */
interface Sighting {
  readonly size: number
  readonly mtime: number
  readonly at: number
}

/**
 * Settled: last changed SETTLE_MS ago by this machine's clock, or (a writer's clock ahead of ours, a network
 * folder) seen unchanged, same size and mtime, for SETTLE_MS. `sightings` keeps the second across looks.
 */
const isSettled = (
  sightings: Map<string, Sighting>,
  name: string,
  size: number,
  mtime: number,
  now: number,
) => {
  if (now - mtime >= SETTLE_MS) return true
  const before = sightings.get(name)
  if (before !== undefined && before.size === size && before.mtime === mtime)
    return now - before.at >= SETTLE_MS
  sightings.set(name, { size, mtime, at: now })
  return false
}
/** The safety-net look at the inbox, should the watch miss a file or fail. */
const POLL = "5 seconds"

/** Where a rejected file goes: its own name, or `<id>.<n>.md` when that name is taken by an earlier rejection. */
const rejectedName = (name: string, n: number) => (n === 0 ? name : name.replace(/\.md$/, `.${n}.md`))

/**
 * Moves `file` into `<inbox>/rejected/` with its reason beside it. Link then unlink: a crash in between leaves a
 * copy in both places, never none; an earlier rejection is never overwritten.
 */
const reject = (inbox: string, name: string, reason: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = path.join(inbox, "rejected")
    const file = path.join(inbox, name)
    yield* fs.makeDirectory(dir, { recursive: true })
    for (let n = 0; ; n++) {
      const target = path.join(dir, rejectedName(name, n))
      const linked = yield* fs.link(file, target).pipe(
        Effect.as("linked" as const),
        Effect.catchIf(
          (e) => e._tag === "SystemError" && (e.reason === "AlreadyExists" || e.reason === "NotFound"),
          (e) => Effect.succeed(e._tag === "SystemError" && e.reason === "NotFound" ? "gone" : "taken"),
        ),
      )
      // Gone: another daemon moved it first.
      if (linked === "gone") return undefined
      if (linked === "taken") continue
      // Written after the link and synced with its folder: the link is durable before the inbox's name goes.
      yield* Effect.tryPromise(() =>
        writeFileDurablyAsync(`${target}.reason`, `${reason}\n`, { mode: 0o644 }),
      )
      yield* fs.remove(file)
      return target
    }
  })

/**
 * One look at the inbox: every settled file imported (or rejected); the ms to the next look when some were young.
 * `sightings` (one map per inbox, kept across looks) remembers the young ones.
 */
export const importInbox = (inbox: string, sightings: Map<string, Sighting> = new Map()) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const control = yield* DispatchControl
    const names = yield* importNames(inbox)
    const now = yield* Clock.currentTimeMillis
    let young = false
    for (const name of names) {
      const file = path.join(inbox, name)
      const info = yield* Effect.option(fs.stat(file))
      if (Option.isNone(info) || info.value.type !== "File") continue
      const mtime = Option.getOrElse(info.value.mtime, () => new Date(0)).getTime()
      if (!isSettled(sightings, name, Number(info.value.size), mtime, now)) {
        young = true
        continue
      }
      sightings.delete(name)
      const outcome = yield* importTaskFile(file).pipe(
        Effect.catchTag("QueueIOError", (e) =>
          // The queue cannot take it now: the file stays for the next pass.
          Effect.as(
            Effect.logWarning(`inbox: ${name} stays: cannot ${e.op} ${e.path}: ${e.message}`),
            undefined,
          ),
        ),
      )
      if (outcome === undefined) continue
      switch (outcome._tag) {
        case "Imported":
          yield* Effect.logInfo(`inbox: ${name} queued as ${outcome.id}`)
          yield* control.wake
          break
        case "Present":
          yield* Effect.logInfo(`inbox: ${name} already queued (${outcome.state}/), removed`)
          break
        case "Clash":
        case "Bad": {
          const reason =
            outcome._tag === "Clash"
              ? `task ${outcome.id} already exists in ${outcome.state}/ with another text: rename the file to queue it under a new id`
              : outcome.reason
          const where = yield* reject(inbox, name, reason)
          if (where !== undefined) yield* Effect.logWarning(`inbox: ${name} rejected to ${where}: ${reason}`)
          break
        }
        case "Gone":
          break
      }
    }
    // Files gone meanwhile (another daemon took them) are forgotten.
    for (const name of sightings.keys()) if (!names.includes(name)) sightings.delete(name)
    return young ? SETTLE_MS : undefined
  }).pipe(
    // A pass that fails (the folder removed, permissions) is said and retried at the next one; the daemon goes on.
    Effect.catchAllCause((cause) =>
      Effect.as(Effect.logWarning(`inbox: ${inbox} not read`, cause), undefined),
    ),
  )

/** Forever, when `queue_inbox` is set: the inbox watched and imported. */
export const runInbox = Effect.gen(function* () {
  const settings = yield* AppConfig
  const inbox = settings.queueInbox
  if (inbox === undefined) return
  const fs = yield* FileSystem.FileSystem
  yield* fs
    .makeDirectory(inbox, { recursive: true })
    .pipe(Effect.catchAll((e) => Effect.logWarning(`inbox: cannot create ${inbox}: ${e.message}`)))
  yield* Effect.logInfo(`inbox: task files dropped into ${inbox} are queued`)
  const sightings = new Map<string, Sighting>()
  return yield* watchFolder(inbox, "inbox", importInbox(inbox, sightings), POLL)
})
