import * as Command from "@effect/platform/Command"
import * as CommandExecutor from "@effect/platform/CommandExecutor"
import type * as FileSystem from "@effect/platform/FileSystem"
import { Chunk, Duration, Effect, Layer, Stream } from "effect"
import { paneTarget, sanitizePaste, sessionTarget } from "../domain/PasteText.js"
import { AppConfig } from "../services/AppConfig.js"
import type { TmuxEvents } from "../services/TmuxEvents.js"
import { TmuxError, TmuxPool } from "../services/TmuxPool.js"
import { failpoint } from "./failpoint.js"
import { TmuxEventsNone } from "./TmuxEventsNone.js"
import { TmuxPoolControl } from "./TmuxPoolControl.js"
import {
  LIST_FORMAT,
  NO_SERVER,
  NO_SESSION,
  newSessionArgs,
  parseSessionList,
  TMUX_CALL_TIMEOUT_MS,
  type TmuxPoolOptions,
  waitForChange,
} from "./TmuxPoolShared.js"

export type { TmuxPoolOptions } from "./TmuxPoolShared.js"

const collect = (stream: Stream.Stream<Uint8Array, unknown>) =>
  Stream.runCollect(Stream.decodeText(stream)).pipe(Effect.map((chunks) => Chunk.join(chunks, "")))

/** TmuxPool on the tmux binary. Task text only ever reaches tmux through stdin (`load-buffer -`). */
export const makeTmuxPoolCli = (options: TmuxPoolOptions) =>
  Effect.gen(function* () {
    const executor = yield* CommandExecutor.CommandExecutor
    const socketArgs = options.socket === undefined ? [] : ["-L", options.socket]
    const landingTimeoutMs = options.landingTimeoutMs ?? 3_000
    let buffers = 0

    /** Runs one tmux invocation; `args` are built from names and config only, never from task text. */
    const tmux = (args: ReadonlyArray<string>, stdin?: string) =>
      Effect.scoped(
        Effect.gen(function* () {
          const base = Command.make("tmux", ...socketArgs, ...args)
          const proc = yield* executor.start(stdin === undefined ? base : Command.feed(base, stdin))
          const [stdout, stderr, exitCode] = yield* Effect.all(
            [collect(proc.stdout), collect(proc.stderr), proc.exitCode],
            {
              concurrency: "unbounded",
            },
          )
          return { stdout, stderr, exitCode: Number(exitCode) }
        }).pipe(
          // Interruptible even inside the daemon's uninterruptible steps, or the timeout below could not fire.
          Effect.interruptible,
          // A tmux client can hang on a server that is going away: never let one call block the daemon.
          Effect.timeoutFail({
            duration: Duration.millis(TMUX_CALL_TIMEOUT_MS),
            onTimeout: () => new Error(`no answer from tmux within ${TMUX_CALL_TIMEOUT_MS} ms`),
          }),
        ),
      ).pipe(
        Effect.catchAll((e) =>
          Effect.succeed({ stdout: "", stderr: e instanceof Error ? e.message : String(e), exitCode: 127 }),
        ),
        Effect.flatMap((r) =>
          r.exitCode === 0
            ? Effect.succeed(r)
            : Effect.fail(
                new TmuxError({
                  command: `tmux ${args.join(" ")}`,
                  exitCode: r.exitCode,
                  stderr: r.stderr.trim(),
                }),
              ),
        ),
      )

    const capture = (name: string) =>
      Effect.map(tmux(["capture-pane", "-p", "-J", "-t", paneTarget(name)]), (r) => r.stdout)

    return TmuxPool.of({
      create: (session) =>
        tmux([
          "new-session",
          "-d",
          ...newSessionArgs(session),
          // Claude Code shows a "tmux focus-events off" notice in its footer otherwise.
          ";",
          "set-option",
          "-g",
          "focus-events",
          "on",
          // A swap kills and recreates every session at once: with none left for a moment the server would exit
          // under the next new-session ("server exited unexpectedly"), and that session would be lost.
          ";",
          "set-option",
          "-s",
          "exit-empty",
          "off",
        ]).pipe(Effect.asVoid),
      list: tmux(["list-sessions", "-F", LIST_FORMAT]).pipe(
        Effect.map((r) => parseSessionList(r.stdout)),
        Effect.catchIf(
          (e) => NO_SERVER.test(e.stderr),
          () => Effect.succeed([]),
        ),
      ),
      has: (name) =>
        tmux(["has-session", "-t", sessionTarget(name)]).pipe(
          Effect.as(true),
          Effect.catchIf(
            (e) => e.exitCode === 1,
            () => Effect.succeed(false),
          ),
        ),
      kill: (name) =>
        tmux(["kill-session", "-t", sessionTarget(name)]).pipe(
          Effect.as(true),
          Effect.catchIf(
            (e) => NO_SESSION.test(e.stderr) || NO_SERVER.test(e.stderr),
            () => Effect.succeed(false),
          ),
        ),
      capture,
      sendKey: (name, key) => tmux(["send-keys", "-t", paneTarget(name), key]).pipe(Effect.asVoid),
      sendText: (name, text) =>
        Effect.gen(function* () {
          const clean = sanitizePaste(text)
          const target = paneTarget(name)
          // A pane in copy mode swallows input: leave it first. One tmux run reads the mode and the screen.
          const head = yield* tmux([
            "display-message",
            "-p",
            "-t",
            target,
            "#{pane_in_mode}",
            ";",
            "capture-pane",
            "-p",
            "-J",
            "-t",
            target,
          ])
          const inMode = head.stdout.startsWith("1\n")
          if (inMode) yield* tmux(["send-keys", "-t", target, "-X", "cancel"])
          if (clean !== "") {
            const before = inMode ? yield* capture(name) : head.stdout.slice(head.stdout.indexOf("\n") + 1)
            const buffer = `ccl-${process.pid}-${++buffers}`
            // One tmux run: the buffer comes from stdin, then is pasted bracketed and deleted (-d).
            yield* tmux(
              ["load-buffer", "-b", buffer, "-", ";", "paste-buffer", "-p", "-d", "-b", buffer, "-t", target],
              clean,
            )
            yield* waitForChange(capture(name), name, before, landingTimeoutMs)
            yield* failpoint("tmux:pasted")
          }
          yield* tmux(["send-keys", "-t", target, "Enter"])
        }),
    })
  })

export const TmuxPoolCli = (options: TmuxPoolOptions) => Layer.effect(TmuxPool, makeTmuxPoolCli(options))

/** TmuxPool on the configured tmux server: one control-mode connection, or one tmux process per command. */
export const TmuxPoolFromConfig = Layer.unwrapEffect(
  Effect.map(
    AppConfig,
    (
      settings,
    ): Layer.Layer<TmuxPool | TmuxEvents, never, CommandExecutor.CommandExecutor | FileSystem.FileSystem> =>
      settings.tmux.mode === "exec"
        ? Layer.merge(TmuxPoolCli({ socket: settings.tmux.socket }), TmuxEventsNone)
        : TmuxPoolControl({ socket: settings.tmux.socket }),
  ),
)
