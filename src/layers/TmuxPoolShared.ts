import { Duration, Effect } from "effect"
import { type NewSession, PasteNotLanded, type SessionInfo, type TmuxError } from "../services/TmuxPool.js"

// What the two TmuxPool layers on real tmux share: one process per command (TmuxPoolCli, `tmux.mode: exec`)
// and one control-mode connection (TmuxPoolControl, `tmux.mode: control`).

export interface TmuxPoolOptions {
  /** `tmux -L <socket>`; undefined = the user's default server. */
  readonly socket: string | undefined
  /** How long a paste may take to show on screen before Enter is withheld. */
  readonly landingTimeoutMs?: number
}

export const TMUX_CALL_TIMEOUT_MS = 5_000
export const NO_SERVER = /no server running|error connecting to|no sessions/i
// "no current target": a target looked up while the server holds no session (exit-empty off keeps it up then).
export const NO_SESSION = /can't find session|session not found|no current target/i

/** The sessions a control-mode client stays attached to (TmuxControlConnection): never a ccl session. */
export const HOLDER_PREFIX = "_ccl-control-"

// "|" separates the fields: tmux escapes control characters such as tab in formats outside a UTF-8 locale.
// Session names cannot hold "|"; the pane's command comes last so that it may.
export const LIST_FORMAT = "#{session_name}|#{pane_pid}|#{pane_id}|#{pane_dead}|#{pane_current_command}"

/** `list-sessions -F LIST_FORMAT` output, without the control-mode holders. */
export const parseSessionList = (stdout: string): ReadonlyArray<SessionInfo> =>
  stdout
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith(HOLDER_PREFIX))
    .map((line): SessionInfo => {
      const [name, pid, paneId, dead, ...command] = line.split("|")
      return {
        name: name ?? "",
        panePid: Number(pid),
        currentCommand: command.join("|"),
        paneId: paneId ?? "",
        dead: dead === "1",
      }
    })

/** Polls the screen until it differs from `before` (the paste landed), or fails after `timeoutMs`. */
export const waitForChange = (
  capture: Effect.Effect<string, TmuxError>,
  name: string,
  before: string,
  timeoutMs: number,
): Effect.Effect<void, TmuxError | PasteNotLanded> => {
  const deadline = Date.now() + timeoutMs
  const poll: Effect.Effect<void, TmuxError | PasteNotLanded> = Effect.flatMap(capture, (now) =>
    now !== before
      ? Effect.void
      : Date.now() > deadline
        ? Effect.fail(new PasteNotLanded({ session: name }))
        : Effect.zipRight(
            Effect.sleep(Duration.millis(15)),
            Effect.suspend(() => poll),
          ),
  )
  return poll
}

/** `new-session`'s arguments after `-d` for a session ccl starts (both layers; names and config only, no text). */
export const newSessionArgs = (session: NewSession): ReadonlyArray<string> => [
  "-s",
  session.name,
  "-x",
  String(session.width ?? 200),
  "-y",
  String(session.height ?? 50),
  "-c",
  session.cwd,
  ...Object.entries(session.env).flatMap(([k, v]) => ["-e", `${k}=${v}`]),
  ...(session.command === undefined ? [] : [session.command]),
]
