import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs"
import * as path from "node:path"
import { Effect, Either, Schema } from "effect"

/** A task a session holds: restored when the next daemon adopts the session (SIGTERM, crash). */
export const InFlight = Schema.Struct({
  task: Schema.String,
  attempt: Schema.Int,
  sent_at: Schema.Number,
  started_at: Schema.optional(Schema.Number),
  deadline_at: Schema.optional(Schema.Number),
})
export type InFlight = typeof InFlight.Type

/** One session as a swap left it to be relaunched. */
export const SwapSession = Schema.Struct({
  name: Schema.String,
  kind: Schema.Literal("pool", "dedicated"),
  cwd: Schema.String,
  /** The task a working pool session keeps through the swap (resumed, then told to continue). */
  task: Schema.optional(InFlight),
})

/** A swap in progress, written before any session is killed: the next start finishes it (roll forward). */
export const SwapJournal = Schema.Struct({
  from: Schema.NullOr(Schema.String),
  to: Schema.String,
  reason: Schema.String,
  reset_at: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  sessions: Schema.Array(SwapSession),
})
export type SwapJournal = typeof SwapJournal.Type

/**
 * How one session came back from a swap: its conversation resumed (id), started fresh (id; nothing to resume, e.g.
 * never prompted), or left at its shell (why). `verified`: its live status file appeared under the target home with
 * that id (null while the check runs or when the agent writes none).
 */
export const SwapSessionOutcome = Schema.Struct({
  name: Schema.String,
  how: Schema.Literal("resumed", "fresh", "shell"),
  id: Schema.NullOr(Schema.String),
  why: Schema.optional(Schema.String),
  verified: Schema.optionalWith(Schema.NullOr(Schema.Boolean), { default: () => null }),
})
export type SwapSessionOutcome = typeof SwapSessionOutcome.Type

/** A finished (or refused) swap, for `ccl failover status` and /api/status. */
export const SwapRecord = Schema.Struct({
  from: Schema.NullOr(Schema.String),
  to: Schema.NullOr(Schema.String),
  reason: Schema.String,
  reset_at: Schema.NullOr(Schema.String),
  started_at: Schema.String,
  finished_at: Schema.String,
  outcome: Schema.Literal("swapped", "refused", "waiting"),
  relaunched: Schema.Array(Schema.String),
  left_at_shell: Schema.Array(Schema.String),
  /** Per session: resumed, fresh or left at the shell, and whether its account was verified. */
  sessions: Schema.optional(Schema.Array(SwapSessionOutcome)),
  message: Schema.optional(Schema.String),
})
export type SwapRecord = typeof SwapRecord.Type

/** What the daemon keeps across restarts: active account, attempts (fencing, retries), cooldowns, swaps. */
export const DaemonState = Schema.Struct({
  active_account: Schema.NullOr(Schema.String),
  attempts: Schema.Record({ key: Schema.String, value: Schema.Int }),
  /** Account name -> ISO time its usage limit resets. */
  cooldowns: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), {
    default: () => ({}),
  }),
  /** Session name -> the task it holds. */
  inflight: Schema.optionalWith(Schema.Record({ key: Schema.String, value: InFlight }), {
    default: () => ({}),
  }),
  swap: Schema.optionalWith(Schema.NullOr(SwapJournal), { default: () => null }),
  /** The last swaps, newest last (at most HISTORY_LIMIT). */
  history: Schema.optionalWith(Schema.Array(SwapRecord), { default: () => [] }),
})
export type DaemonState = typeof DaemonState.Type

export const HISTORY_LIMIT = 50

/** A real state file is a few KB (attempts are the bulk): anything this big is not one of ours. */
export const MAX_STATE_BYTES = 4 * 1024 * 1024

const empty: DaemonState = {
  active_account: null,
  attempts: {},
  cooldowns: {},
  inflight: {},
  swap: null,
  history: [],
}
const decode = Schema.decodeUnknownEither(Schema.parseJson(DaemonState))

/** state.json as it is on disk, for commands that only look (nothing moved aside): undefined if absent or bad. */
export const peekDaemonState = (stateDir: string): DaemonState | undefined => {
  try {
    const decoded = decode(readFileSync(path.join(stateDir, "state.json"), "utf8"))
    return Either.isRight(decoded) ? decoded.right : undefined
  } catch {
    return undefined
  }
}

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
      const size = statSync(file).size
      const decoded =
        size > MAX_STATE_BYTES
          ? Either.left({ message: `${size} bytes, more than the ${MAX_STATE_BYTES} a state file can hold` })
          : decode(readFileSync(file, "utf8"))
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
      const fd = openSync(tmp, "w", 0o600)
      try {
        writeFileSync(fd, JSON.stringify(state, null, 2))
        fsyncSync(fd)
      } finally {
        closeSync(fd)
      }
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
