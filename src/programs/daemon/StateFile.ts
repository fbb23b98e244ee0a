import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Effect, Either, Schema } from "effect"

/** What the daemon keeps across restarts: the active account and each task's attempts (fencing, retries). */
export const DaemonState = Schema.Struct({
  active_account: Schema.NullOr(Schema.String),
  attempts: Schema.Record({ key: Schema.String, value: Schema.Int }),
})
export type DaemonState = typeof DaemonState.Type

const empty: DaemonState = { active_account: null, attempts: {} }
const decode = Schema.decodeUnknownEither(Schema.parseJson(DaemonState))

/**
 * `<state>/state.json`: read at start (a corrupt file is moved aside as `state.json.corrupt.<time>` and the
 * daemon starts empty, reported: no crash loop), written whole through temp + rename on every change.
 */
export const makeStateFile = (stateDir: string) =>
  Effect.gen(function* () {
    const file = path.join(stateDir, "state.json")
    mkdirSync(stateDir, { recursive: true, mode: 0o700 })
    let state: DaemonState = empty
    if (existsSync(file)) {
      const decoded = decode(readFileSync(file, "utf8"))
      if (Either.isRight(decoded)) state = decoded.right
      else {
        const aside = `${file}.corrupt.${new Date().toISOString().replace(/[:.]/g, "-")}`
        renameSync(file, aside)
        yield* Effect.logError(
          `state file ${file} is corrupt (${decoded.left.message.split("\n")[0]}): moved to ${aside}`,
        )
      }
    }
    const save = () => {
      const tmp = `${file}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 })
      renameSync(tmp, file)
    }
    return {
      get: () => state,
      update: (f: (s: DaemonState) => DaemonState) =>
        Effect.sync(() => {
          state = f(state)
          save()
          return state
        }),
    }
  })

export type StateFile = Effect.Effect.Success<ReturnType<typeof makeStateFile>>
