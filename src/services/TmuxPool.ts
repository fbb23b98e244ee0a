import { Context, Data, type Effect } from "effect"

/** tmux exited non-zero: the command (never task text: that only travels through stdin) and its stderr. */
export class TmuxError extends Data.TaggedError("TmuxError")<{
  readonly command: string
  readonly exitCode: number
  readonly stderr: string
}> {}

/** The pasted text did not show up in the pane in time: Enter was not sent. */
export class PasteNotLanded extends Data.TaggedError("PasteNotLanded")<{ readonly session: string }> {}

export interface NewSession {
  readonly name: string
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /** The program the session runs; default: the user's shell. */
  readonly command?: string
  readonly width?: number
  readonly height?: number
}

export interface SessionInfo {
  readonly name: string
  /** Process id of the pane's program (the shell ccl starts). */
  readonly panePid: number
  /** What runs in the pane now (`bash`, `node`, `claude`...). */
  readonly currentCommand: string
  readonly paneId: string
  readonly dead: boolean
}

/** The only keys ccl presses by name (never text: that goes through sendText). */
export type NamedKey = "Escape" | "Enter"

/** The tmux server ccl drives (DESIGN.md "Sessions (TmuxPool)"). Every target is exact (`=NAME`). */
export class TmuxPool extends Context.Tag("ccl/TmuxPool")<
  TmuxPool,
  {
    readonly create: (session: NewSession) => Effect.Effect<void, TmuxError>
    /** Every session on the server; none when no server runs. */
    readonly list: Effect.Effect<ReadonlyArray<SessionInfo>, TmuxError>
    readonly has: (name: string) => Effect.Effect<boolean, TmuxError>
    /** False when there was no such session. */
    readonly kill: (name: string) => Effect.Effect<boolean, TmuxError>
    /** The visible screen, wrapped lines joined (`capture-pane -p -J`). */
    readonly capture: (name: string) => Effect.Effect<string, TmuxError>
    /**
     * Types text literally: sanitised, loaded into a named buffer through stdin, bracketed-pasted, checked to have
     * landed (the screen changed), then Enter. Copy mode is left first. Never passes the text as an argument.
     */
    readonly sendText: (name: string, text: string) => Effect.Effect<void, TmuxError | PasteNotLanded>
    /** Presses one key (Escape cancels Claude Code's auto-continue at a usage limit). */
    readonly sendKey: (name: string, key: NamedKey) => Effect.Effect<void, TmuxError>
  }
>() {}
