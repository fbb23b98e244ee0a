import { existsSync, readdirSync, renameSync, rmSync } from "node:fs"
import * as path from "node:path"
import { Effect, Either, Schema } from "effect"
import { HookRecord } from "../../domain/HookRecord.js"
import { readFileTail } from "../../layers/FileTail.js"
import { eventsFile } from "../HookRelay.js"

const decodeHookLine = Schema.decodeUnknownEither(Schema.parseJson(HookRecord))

/** At most this much of a events file is replayed: the newest part (a daemon down for days piles up hooks). */
export const MAX_REPLAY_BYTES = 8 * 1024 * 1024

/**
 * Hook events that could not be POSTed (no daemon yet, or a daemon too busy to answer in time): taken over at
 * start and then every few seconds, replayed in order, then removed. A file set aside by an earlier replay that
 * did not finish (a crash) is replayed first, so no event is stranded there; lines that do not decode are
 * skipped, and an event whose handling fails is logged without stopping the rest.
 */
export const replayEvents = <E>(
  stateDir: string,
  onHook: (record: HookRecord) => Effect.Effect<void, E>,
  maxBytes = MAX_REPLAY_BYTES,
) =>
  Effect.gen(function* () {
    const file = eventsFile(stateDir)
    const base = path.basename(file)
    const leftovers = existsSync(stateDir)
      ? readdirSync(stateDir)
          .filter((n) => n.startsWith(`${base}.replaying-`))
          .sort()
          .map((n) => path.join(stateDir, n))
      : []
    const asides = [...leftovers]
    if (existsSync(file)) {
      const aside = `${file}.replaying-${Date.now()}-${process.pid}`
      renameSync(file, aside) // hooks from now on start a new file
      yield* Effect.sleep("100 millis") // a hook that opened the old file just before finishes its one line
      asides.push(aside)
    }
    let n = 0
    for (const aside of asides) {
      const { text, skipped } = readFileTail(aside, maxBytes) ?? { text: "", skipped: 0 }
      if (skipped > 0)
        yield* Effect.logWarning(
          `${aside}: ${skipped} bytes of older hook events not replayed (over ${maxBytes})`,
        )
      for (const line of text.split("\n")) {
        if (line.trim() === "") continue
        const decoded = decodeHookLine(line)
        if (Either.isLeft(decoded)) continue
        // One event that cannot be handled (a queue write failing) is reported; the others still replay.
        yield* onHook(decoded.right).pipe(
          Effect.catchAllCause((cause) =>
            Effect.logWarning(`replaying a ${decoded.right.event} hook event failed`, cause),
          ),
        )
        n++
      }
      rmSync(aside, { force: true })
    }
    return n
  })
