import { Effect, Layer } from "effect"
import { sanitizePaste } from "../domain/PasteText.js"
import { type NewSession, type SessionInfo, TmuxError, TmuxPool } from "../services/TmuxPool.js"

/** What a unit test can see and do to the in-memory tmux. */
export interface TmuxScript {
  readonly sessions: () => ReadonlyArray<NewSession>
  /** Every text sent to a session (sanitised, as the real layer would paste it), in order. */
  readonly sent: (name: string) => ReadonlyArray<string>
  /** Every key pressed by name in a session, in order. */
  readonly keys: (name: string) => ReadonlyArray<string>
  readonly setScreen: (name: string, screen: string) => void
  /** The session's program died; the session itself disappears as with tmux's default remain-on-exit off. */
  readonly vanish: (name: string) => void
  /** The session's agent no longer reacts to /clear (its screen stays as it is). */
  readonly ignoreClear: (name: string) => void
}

/** The agent's idle prompt with an empty conversation above it: what /clear leaves on screen. */
export const CLEARED_SCREEN = `${"─".repeat(60)}\n> \n${"─".repeat(60)}\n  ? for shortcuts\n`

const missing = (command: string, name: string) =>
  new TmuxError({ command, exitCode: 1, stderr: `can't find session: ${name}` })

/** An in-memory tmux for unit tests of the dispatcher and failover. */
export const makeTmuxPoolMemory = Effect.sync(() => {
  const sessions = new Map<
    string,
    {
      spec: NewSession
      screen: string
      sent: Array<string>
      keys: Array<string>
      pid: number
      ignoresClear?: boolean
    }
  >()
  let pids = 1000
  const script: TmuxScript = {
    sessions: () => [...sessions.values()].map((s) => s.spec),
    sent: (name) => sessions.get(name)?.sent ?? [],
    keys: (name) => sessions.get(name)?.keys ?? [],
    setScreen: (name, screen) => {
      const s = sessions.get(name)
      if (s !== undefined) s.screen = screen
    },
    vanish: (name) => void sessions.delete(name),
    ignoreClear: (name) => {
      const s = sessions.get(name)
      if (s !== undefined) s.ignoresClear = true
    },
  }
  const pool = TmuxPool.of({
    create: (spec) =>
      Effect.suspend(() => {
        if (sessions.has(spec.name)) {
          return Effect.fail(
            new TmuxError({ command: "new-session", exitCode: 1, stderr: `duplicate session: ${spec.name}` }),
          )
        }
        sessions.set(spec.name, { spec, screen: "$ ", sent: [], keys: [], pid: ++pids })
        return Effect.void
      }),
    list: Effect.sync(() =>
      [...sessions.entries()].map(
        ([name, s]): SessionInfo => ({
          name,
          panePid: s.pid,
          currentCommand: "bash",
          paneId: `%${s.pid}`,
          dead: false,
        }),
      ),
    ),
    has: (name) => Effect.sync(() => sessions.has(name)),
    kill: (name) => Effect.sync(() => sessions.delete(name)),
    capture: (name) =>
      Effect.suspend(() => {
        const s = sessions.get(name)
        return s === undefined ? Effect.fail(missing("capture-pane", name)) : Effect.succeed(s.screen)
      }),
    sendKey: (name, key) =>
      Effect.suspend(() => {
        const s = sessions.get(name)
        if (s === undefined) return Effect.fail(missing("send-keys", name))
        s.keys.push(key)
        return Effect.void
      }),
    sendText: (name, text) =>
      Effect.suspend(() => {
        const s = sessions.get(name)
        if (s === undefined) return Effect.fail(missing("paste-buffer", name))
        s.sent.push(sanitizePaste(text))
        // An agent given /clear shows a conversation with no turn: the state the dispatcher waits for.
        if (text === "/clear" && s.ignoresClear !== true) s.screen = CLEARED_SCREEN
        return Effect.void
      }),
  })
  return { pool, script }
})

export const TmuxPoolMemory = Effect.map(makeTmuxPoolMemory, ({ pool, script }) => ({
  layer: Layer.succeed(TmuxPool, pool),
  script,
}))
