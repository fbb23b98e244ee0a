import { linkSync } from "node:fs"
import { Effect, Either, Option } from "effect"
import { appendFooter, parseFooter } from "../domain/ResultFooter.js"
import { type Filing, type FilingResult, QueueIOError, TaskNotFound } from "../services/TaskQueue.js"
import { createFileDurably } from "./DurableFile.js"
import { failpoint } from "./failpoint.js"
import type { QueueFolder } from "./TaskQueueFsFolder.js"
import { findSource } from "./TaskQueueFsMoves.js"

// `fileMany`: the steps of TaskQueueFsMoves.ts `finish`, each taken for the whole batch before the next, so that
// the destination folder is synced once per batch instead of once per task. Every intermediate state is one that
// recoverQueue (TaskQueueFsRecovery.ts) already finishes for a single move: staging files of a dead process are
// dropped while their source is intact, and finished once their done/ (or failed/) copy exists.

// Staging writes in flight at once: concurrent fsyncs share journal commits, serial ones pay one each.
const STAGE_CONCURRENCY = 32

interface Move {
  readonly at: number
  readonly filing: Filing
  readonly source: string
  readonly text: string
  readonly staging: string
  /** Where the result is, once linked (or found linked by an earlier attempt). */
  readonly landed?: string
}

const ioError = (op: string, p: string) => (e: unknown) =>
  new QueueIOError({ op, path: p, message: e instanceof Error ? e.message : String(e) })

export const makeBatchFiling =
  (q: QueueFolder, forget: (id: string) => void) =>
  (filings: ReadonlyArray<Filing>): Effect.Effect<ReadonlyArray<FilingResult>, QueueIOError> =>
    Effect.gen(function* () {
      const { taskPath, markerPath } = q
      yield* q.ensureDirs
      const results = new Array<FilingResult>(filings.length)
      const moves: Array<Move> = []
      for (const [at, filing] of filings.entries()) {
        const source = yield* Effect.either(findSource(q, filing.id, filing.footer))
        if (Either.isLeft(source)) results[at] = Either.left(source.left)
        else if (Option.isNone(source.right))
          results[at] = Either.left(new TaskNotFound({ id: filing.id, where: "active/ or pending/" }))
        else {
          const { path, text } = source.right.value
          moves.push({ at, filing, source: path, text, staging: q.stagingPath(filing.into, filing.id) })
        }
      }

      // 1. Every result durable in tmp/ before any of them gets a name in done/ (or failed/).
      const failed = new Set<Move>()
      yield* Effect.forEach(
        moves,
        (m) =>
          Effect.tryPromise({
            try: () => createFileDurably(m.staging, appendFooter(m.text, m.filing.footer)),
            catch: ioError("write", m.staging),
          }).pipe(
            Effect.catchAll((e) => {
              failed.add(m)
              results[m.at] = Either.left(e)
              return Effect.ignore(q.removeNow(m.staging)) // a write cut by a full disk leaves nothing
            }),
          ),
        { concurrency: STAGE_CONCURRENCY, discard: true },
      )
      const written = moves.filter((m) => !failed.has(m))
      const folders = [...new Set(written.map((m) => m.filing.into))]
      for (const dest of folders) yield* failpoint(`queue:${dest}-staged`)

      // 2. Linked into place; a name already taken is either this very result (an earlier attempt) or kept beside.
      const place = (m: Move) =>
        Effect.gen(function* () {
          const final = taskPath(m.filing.into, m.filing.id)
          const linked = yield* Effect.try({
            try: () => {
              try {
                linkSync(m.staging, final)
                return true
              } catch (e) {
                if ((e as NodeJS.ErrnoException).code === "EEXIST") return false
                throw e
              }
            },
            catch: ioError("link", final),
          })
          if (linked) return final
          const existing = yield* q.readIfExists(final)
          if (Option.isSome(existing) && parseFooter(existing.value)?.original === m.text) return final
          return yield* q.linkNoClobber(m.staging, final)
        })
      const landed: Array<Move> = []
      for (const m of written) {
        const placed = yield* Effect.either(place(m))
        if (Either.isLeft(placed)) {
          results[m.at] = placed
          yield* Effect.ignore(q.removeNow(m.staging)) // the source is intact: filed again later
        } else landed.push({ ...m, landed: placed.right })
      }

      // 3. One sync per folder for the whole batch, also covering a result an earlier attempt linked but may not
      // have synced. If it fails nothing is removed: the sources stay the truth.
      for (const dest of folders) {
        if (!landed.some((m) => m.filing.into === dest)) continue
        yield* q
          .syncDir(q.dir(dest))
          .pipe(Effect.tapError(() => Effect.forEach(landed, (m) => Effect.ignore(q.removeNow(m.staging)))))
      }
      for (const dest of folders) yield* failpoint(`queue:${dest}-linked`)

      // 4. Staging, source, then the marker: the marker goes last, or a pending task could be claimed locally.
      for (const m of landed) {
        const removed = yield* Effect.either(
          Effect.all([q.removeNow(m.staging), q.removeNow(m.source)], { discard: true }),
        )
        forget(m.filing.id)
        results[m.at] = Either.isLeft(removed) ? Either.left(removed.left) : Either.right(m.landed!)
      }
      for (const [at, filing] of filings.entries()) {
        const r = results[at]!
        const filed = Either.isRight(r) || r.left._tag === "TaskNotFound"
        if (filed && filing.dropMarker === true) {
          const removed = yield* Effect.either(q.removeNow(markerPath(filing.id)))
          if (Either.isLeft(removed)) results[at] = Either.left(removed.left)
        }
      }
      for (const dest of folders) yield* failpoint(`queue:${dest}-unlinked`)
      return results
    })
