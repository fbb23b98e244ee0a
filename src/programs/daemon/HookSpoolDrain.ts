import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Either, Schema } from "effect"
import { HookRecord } from "../../domain/HookRecord.js"
import { SPOOL_FILE_LIMIT, SPOOL_FOLDER, spoolRecord } from "../../domain/HookSpool.js"

/** The spool's folders under a state folder (domain/HookSpool.ts says who writes what there). */
export const spoolDirs = (state: string) => {
  const root = path.join(state, SPOOL_FOLDER)
  return { tmp: path.join(root, "tmp"), fresh: path.join(root, "new"), bad: path.join(root, "bad") }
}

/** Made 0700 (with any missing parent): the files hold prompts and replies. Throws when it cannot. */
export const makeSpoolDirs = (state: string): void => {
  for (const dir of Object.values(spoolDirs(state))) fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
}

/** How many unreadable files bad/ keeps (the newest) for the operator to look at. */
export const BAD_KEPT = 50
/** A file still in tmp/ after this was left by a hook killed mid-write: nobody will rename it. */
const TMP_STALE_MS = 60 * 60 * 1000

const decodeRecord = Schema.decodeUnknownEither(HookRecord)

const names = (dir: string): Array<string> => {
  try {
    return fs.readdirSync(dir).sort()
  } catch {
    return []
  }
}

/** The record in a spool file; Left why it cannot be one; undefined when the file is gone. */
const readSpoolFile = (dir: string, name: string): Either.Either<HookRecord, string> | undefined => {
  const file = path.join(dir, name)
  let text: string
  try {
    const stat = fs.statSync(file)
    if (!stat.isFile()) return Either.left("not a regular file")
    if (stat.size > SPOOL_FILE_LIMIT) return Either.left(`${stat.size} bytes, over ${SPOOL_FILE_LIMIT}`)
    text = fs.readFileSync(file, "utf8")
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? undefined : Either.left(String(e))
  }
  return Either.flatMap(spoolRecord(name, text), (record) =>
    Either.mapLeft(decodeRecord(record), (e) => e.message.replace(/\s+/g, " ")),
  )
}

/** Moves a file into bad/ (named by when, so the oldest go first) and keeps the newest BAD_KEPT there. */
const setAside = (state: string, name: string): void => {
  const { fresh, bad } = spoolDirs(state)
  try {
    fs.renameSync(path.join(fresh, name), path.join(bad, `${Date.now()}-${name}`))
  } catch {
    fs.rmSync(path.join(fresh, name), { force: true, recursive: true }) // never read it again each pass
  }
  const kept = names(bad)
  for (const old of kept.slice(0, Math.max(0, kept.length - BAD_KEPT)))
    fs.rmSync(path.join(bad, old), { force: true, recursive: true })
}

/** Removes what hooks killed mid-write left in tmp/. */
export const sweepSpoolTmp = (state: string, now: number): void => {
  const { tmp } = spoolDirs(state)
  for (const name of names(tmp)) {
    try {
      if (now - fs.statSync(path.join(tmp, name)).mtimeMs > TMP_STALE_MS) fs.rmSync(path.join(tmp, name))
    } catch {} // gone already
  }
}

/**
 * One pass over new/: each file, in name (= time) order, decoded and handed to `onHook`, then deleted (at least
 * once: a crash in between hands it over again at the next start). A file that does not decode goes to bad/,
 * logged once. When `onHook` fails the pass stops there, so that the events of a session keep their order; the
 * file is tried again at the next pass (its failure logged once). Never fails; returns how many were handed over.
 */
export const makeSpoolDrain = <E>(state: string, onHook: (record: HookRecord) => Effect.Effect<void, E>) => {
  let lastFailed: string | undefined
  return Effect.gen(function* () {
    const { fresh } = spoolDirs(state)
    let n = 0
    for (const name of names(fresh)) {
      const read = readSpoolFile(fresh, name)
      if (read === undefined) continue
      if (Either.isLeft(read)) {
        yield* Effect.logWarning(`hook spool: ${name} set aside in ${spoolDirs(state).bad}: ${read.left}`)
        setAside(state, name)
        continue
      }
      const failed = yield* onHook(read.right).pipe(
        Effect.as(false),
        Effect.catchAllCause((cause) =>
          (lastFailed === name
            ? Effect.void
            : Effect.logWarning(`hook spool: a ${read.right.event} event (${name}) failed; kept`, cause)
          ).pipe(Effect.as(true)),
        ),
      )
      if (failed) {
        lastFailed = name
        break
      }
      fs.rmSync(path.join(fresh, name), { force: true })
      n++
    }
    return n
  }).pipe(
    Effect.catchAllDefect((defect) =>
      Effect.logWarning("hook spool: reading failed", defect).pipe(Effect.as(0)),
    ),
  )
}
