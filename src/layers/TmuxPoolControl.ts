import * as FileSystem from "@effect/platform/FileSystem"
import { Context, Duration, Effect, Layer, Stream } from "effect"
import { paneTarget, sanitizePaste, sessionTarget } from "../domain/PasteText.js"
import { TmuxEvents } from "../services/TmuxEvents.js"
import { TmuxError, TmuxPool } from "../services/TmuxPool.js"
import { failpoint } from "./failpoint.js"
import { type Connection, makeTmuxControlConnection, type Reply } from "./TmuxControlConnection.js"
import {
  LIST_FORMAT,
  NO_SERVER,
  NO_SESSION,
  newSessionArgs,
  parseSessionList,
  type TmuxPoolOptions,
  waitForChange,
} from "./TmuxPoolShared.js"

type Commands = ReadonlyArray<ReadonlyArray<string>>

const failure = (r: Reply) =>
  new TmuxError({ command: `tmux ${r.command.join(" ")}`, exitCode: 1, stderr: r.output.trim() })

/** The replies, or the first %error as a TmuxError carrying tmux's answer. */
const allOk = (replies: ReadonlyArray<Reply>) => {
  const bad = replies.find((r) => !r.ok)
  return bad === undefined ? Effect.succeed(replies) : Effect.fail(failure(bad))
}

/**
 * TmuxPool on one tmux control-mode connection (TmuxControlConnection): the same contract as TmuxPoolCli at a
 * fraction of a process spawn per command. Task text never reaches tmux's command parser: it goes to a 0600 file
 * in a 0700 folder of ours, which `load-buffer` reads (a control client has no stdin per command for
 * `load-buffer -`). `send-keys -H` would also keep it from the parser, but it types keys: ccl would have to
 * rebuild paste-buffer's bracketing and newline handling, and 100 KB would become a 300 KB command line.
 */
export const makeTmuxPoolControl = (options: TmuxPoolOptions) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const control = yield* makeTmuxControlConnection({ socket: options.socket })
    const landingTimeoutMs = options.landingTimeoutMs ?? 3_000
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "ccl-tmux-" })
    yield* fs.chmod(dir, 0o700)
    let buffers = 0

    /** Commands built from names and config only, never from task text. */
    const tmux = (commands: Commands, start = false) =>
      Effect.flatMap(
        control.run(() => commands, start),
        allOk,
      )
    const one = (args: ReadonlyArray<string>) => Effect.map(tmux([args]), ([r]) => r!.output)
    const capture = (name: string) => one(["capture-pane", "-p", "-J", "-t", paneTarget(name)])

    /** The replies, and the connection that gave them. */
    const runOn = (commands: Commands, start = false) => {
      let on: Connection | undefined
      const build = (c: Connection) => {
        on = c
        return commands
      }
      return Effect.map(control.run(build, start), (replies) => ({ replies, on: on! }))
    }

    /**
     * Links a ccl window into the holder once per connection, so that its panes' %output reaches us; only on the
     * connection its id came from (window ids start again at @0 on a new server).
     */
    const link = (windowId: string, on: Connection) =>
      Effect.ignore(
        control.run((c) => {
          if (c !== on || windowId === "" || c.linked.has(windowId)) return []
          c.linked.add(windowId)
          return [["link-window", "-d", "-s", windowId, "-t", `=${c.holder}:`]]
        }),
      )

    // A ccl session killed from outside (`tmux kill-session`) would leave its window, and its agent, alive in
    // the holder: on every change of sessions, windows found only in the holder are killed.
    const sweep = Effect.gen(function* () {
      let seen: Connection | undefined
      const [r] = yield* control.run((c) => {
        seen = c
        // Without its own window known, the holder's window could be taken for an orphan: no sweep then.
        return c.linked.size === 0 || c.baseWindow === ""
          ? []
          : [["list-windows", "-t", `=${c.holder}`, "-F", "#{window_id} #{window_linked_sessions_list}"]]
      })
      if (r === undefined || !r.ok) return
      yield* control.run((c) =>
        // Only on the connection that listed them: window ids start again at @0 on a new server.
        c !== seen
          ? []
          : r.output.split("\n").flatMap((line) => {
              const [id, sessions] = line.split(" ")
              const orphan = id !== undefined && id !== "" && id !== c.baseWindow
              return orphan && sessions?.split(",").every((s) => s === c.holder)
                ? [["kill-window", "-t", id]]
                : []
            }),
      )
    }).pipe(Effect.ignore)
    const changes = yield* control.subscribe
    yield* Stream.fromQueue(changes).pipe(
      Stream.filter((n) => n._tag === "Other" && n.name === "sessions-changed"),
      Stream.debounce(Duration.millis(50)),
      Stream.runForEach(() => sweep),
      Effect.forkScoped,
    )

    const pool = TmuxPool.of({
      create: (session) =>
        Effect.gen(function* () {
          const { replies, on } = yield* runOn(
            [
              ["new-session", "-d", "-P", "-F", "#{window_id}", ...newSessionArgs(session)],
              // As in TmuxPoolCli: Claude Code's footer notice, and a server that must not exit between a swap's
              // kill and create (here the holder keeps it up as well, while connected).
              ["set-option", "-g", "focus-events", "on"],
              ["set-option", "-s", "exit-empty", "off"],
            ],
            true,
          )
          const [created] = yield* allOk(replies)
          yield* link(created!.output.trim(), on)
        }),
      list: tmux([["list-sessions", "-F", LIST_FORMAT]]).pipe(
        Effect.map(([r]) => parseSessionList(r!.output)),
        Effect.catchIf(
          (e) => NO_SERVER.test(e.stderr),
          () => Effect.succeed([]),
        ),
      ),
      // display-message alone would not do: a target it cannot find falls back to the client's own pane.
      has: (name) =>
        runOn([
          ["has-session", "-t", sessionTarget(name)],
          ["display-message", "-p", "-t", paneTarget(name), "#{window_id}"],
        ]).pipe(
          Effect.flatMap(({ replies: [has, id], on }) =>
            has!.ok ? Effect.as(link(id!.output.trim(), on), true) : Effect.succeed(false),
          ),
          Effect.catchIf(
            (e) => NO_SERVER.test(e.stderr),
            () => Effect.succeed(false),
          ),
        ),
      // The window first: killing only the session would leave it alive in the holder it is linked into.
      kill: (name) =>
        control
          .run(() => [
            ["kill-window", "-t", paneTarget(name)],
            ["kill-session", "-t", sessionTarget(name)],
          ])
          .pipe(
            Effect.flatMap(([w, s]) =>
              w!.ok || s!.ok
                ? Effect.succeed(true)
                : NO_SESSION.test(w!.output)
                  ? Effect.succeed(false)
                  : Effect.fail(failure(w!)),
            ),
            Effect.catchIf(
              (e) => NO_SESSION.test(e.stderr) || NO_SERVER.test(e.stderr),
              () => Effect.succeed(false),
            ),
          ),
      capture,
      sendKey: (name, key) => Effect.asVoid(one(["send-keys", "-t", paneTarget(name), key])),
      sendText: (name, text) =>
        Effect.gen(function* () {
          const clean = sanitizePaste(text)
          const target = paneTarget(name)
          // A pane in copy mode swallows input: leave it first.
          const [mode, screen] = yield* tmux([
            ["display-message", "-p", "-t", target, "#{pane_in_mode}"],
            ["capture-pane", "-p", "-J", "-t", target],
          ])
          const inMode = mode!.output.startsWith("1")
          if (inMode) yield* one(["send-keys", "-t", target, "-X", "cancel"])
          if (clean !== "") {
            const before = inMode ? yield* capture(name) : screen!.output
            const buffer = `ccl-${process.pid}-${++buffers}`
            const file = `${dir}/${buffer}`
            yield* fs
              .writeFileString(file, clean, { mode: 0o600, flag: "wx" })
              .pipe(
                Effect.mapError(
                  (e) => new TmuxError({ command: `write ${file}`, exitCode: 127, stderr: e.message }),
                ),
              )
            // load-buffer expands formats in its path: "#" is written "##".
            yield* tmux([
              ["load-buffer", "-b", buffer, file.replaceAll("#", "##")],
              ["paste-buffer", "-p", "-d", "-b", buffer, "-t", target],
            ]).pipe(Effect.ensuring(Effect.ignore(fs.remove(file))))
            yield* waitForChange(capture(name), name, before, landingTimeoutMs)
            yield* failpoint("tmux:pasted")
          }
          yield* one(["send-keys", "-t", target, "Enter"])
        }),
    })
    return Context.make(TmuxPool, pool).pipe(
      Context.add(TmuxEvents, TmuxEvents.of({ live: true, subscribe: control.subscribe })),
    )
  })

/** TmuxPool (and TmuxEvents) on one control-mode connection, detached (never killed) when the layer closes. */
export const TmuxPoolControl = (
  options: TmuxPoolOptions,
): Layer.Layer<TmuxPool | TmuxEvents, never, FileSystem.FileSystem> =>
  Layer.scopedContext(Effect.orDie(makeTmuxPoolControl(options)))
