import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs"
import * as path from "node:path"
import { Effect, Either, Layer } from "effect"
import {
  type DaemonState,
  decodeDaemonState,
  emptyDaemonState,
  MAX_STATE_BYTES,
} from "../domain/DaemonState.js"
import { AppConfig } from "../services/AppConfig.js"
import { StateFileError, StateStore } from "../services/StateStore.js"
import { writeFileDurablyAsync } from "./DurableFile.js"

/** state.json as it is on disk, for commands that only look (nothing moved aside): undefined if absent or bad. */
export const peekDaemonState = (stateDir: string): DaemonState | undefined => {
  try {
    const decoded = decodeDaemonState(readFileSync(path.join(stateDir, "state.json"), "utf8"))
    return Either.isRight(decoded) ? decoded.right : undefined
  } catch {
    return undefined
  }
}

/**
 * Reads `<state>/state.json` at start: a corrupt or oversized file is moved aside as `state.json.corrupt.<time>`
 * (its bytes kept) and the daemon starts empty, reported: no crash loop.
 */
const load = (file: string) =>
  Effect.gen(function* () {
    const read = (what: () => void) =>
      Effect.try({ try: what, catch: (e) => new StateFileError({ file, op: "read", message: String(e) }) })
    let text: string | undefined
    let size = 0
    yield* read(() => {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
      if (!existsSync(file)) return
      size = statSync(file).size
      if (size <= MAX_STATE_BYTES) text = readFileSync(file, "utf8")
    })
    if (size === 0 && text === undefined) return emptyDaemonState
    const decoded =
      text === undefined
        ? Either.left({ message: `${size} bytes, more than the ${MAX_STATE_BYTES} a state file can hold` })
        : decodeDaemonState(text)
    if (Either.isRight(decoded)) return decoded.right
    const aside = `${file}.corrupt.${new Date().toISOString().replace(/[:.]/g, "-")}`
    yield* read(() => renameSync(file, aside))
    yield* Effect.logError(
      `state file ${file} is corrupt (${decoded.left.message.split("\n")[0]}): moved to ${aside}`,
    )
    return emptyDaemonState
  })

/**
 * The state file: updates apply in memory at once, in order; one writer (a semaphore) writes the latest state
 * whole (DurableFile: temp, fsync, rename) off the event loop, so updates made while a write runs share the next.
 */
export const makeStateStoreFile = (
  stateDir: string,
  /** How the file is written (the tests count and fail writes). */
  write: (file: string, text: string) => Promise<void> = (file, text) =>
    writeFileDurablyAsync(file, text, { mode: 0o600 }),
) =>
  Effect.gen(function* () {
    const file = path.join(stateDir, "state.json")
    let state = yield* load(file)
    let version = 0
    let written = 0
    const writer = yield* Effect.makeSemaphore(1)
    const flush = Effect.suspend(() => {
      const upTo = version
      const text = JSON.stringify(state, null, 2)
      if (text.length > MAX_STATE_BYTES)
        return Effect.fail(
          new StateFileError({ file, op: "write", message: `${text.length} bytes: over the bound` }),
        )
      return Effect.tryPromise({
        try: () => write(file, text),
        catch: (e) =>
          new StateFileError({ file, op: "write", message: e instanceof Error ? e.message : String(e) }),
      }).pipe(
        Effect.tap(() => {
          written = Math.max(written, upTo)
        }),
      )
    })
    return StateStore.of({
      get: () => state,
      update: (f) =>
        Effect.suspend(() => {
          state = f(state)
          const mine = ++version
          const after = state
          return writer
            .withPermits(1)(Effect.suspend(() => (written >= mine ? Effect.void : flush)))
            .pipe(Effect.as(after))
        }),
    })
  })

/** The state store in the configured state folder. */
export const StateStoreFile = Layer.effect(
  StateStore,
  Effect.flatMap(AppConfig, (settings) => makeStateStoreFile(settings.state)),
)
