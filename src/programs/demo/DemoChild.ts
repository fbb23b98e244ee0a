// Child processes of the demo, all asynchronous (the mock secutools server runs in this process): this same ccl
// as a command or as the daemon, and tmux on the demo's private socket.

import { type ChildProcess, spawn } from "node:child_process"
import { closeSync, lstatSync, openSync, realpathSync, unlinkSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Deferred, Effect, type Scope } from "effect"
import { failure } from "../cli/failure.js"

export interface ChildResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** This ccl by absolute path (as `ccl hooks install` finds it): Node and the script it runs. */
export const selfCcl = Effect.suspend(() => {
  const script = process.argv[1]
  if (script === undefined)
    return Effect.fail(failure("demo: cannot tell which ccl script runs: start it as node dist/ccl.mjs demo"))
  return Effect.try({
    try: () => ({ node: process.execPath, script: realpathSync(script) }),
    catch: (e) => failure(`demo: cannot resolve the ccl script ${script}: ${(e as Error).message}`),
  })
})

const inherited = (name: string) =>
  !(name.startsWith("CCL_") && name !== "CCL_CACHE_DIR" && name !== "CCL_NO_CODE_CACHE") &&
  !name.startsWith("SECUTOOLS_") &&
  name !== "CLAUDE_CONFIG_DIR" &&
  name !== "TMUX" &&
  name !== "TMUX_PANE"

/**
 * The user's environment without what would steer the demo elsewhere (CCL_* settings, SECUTOOLS_*, an account
 * home, the tmux server this terminal runs in), plus `extra`.
 */
export const childEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && inherited(e[0])),
  ),
  ...extra,
})

/**
 * The daemon's environment: HOME is the demo folder, so the sessions' shells skip the user's startup files
 * (slow ones, or a tmux.conf, would stall or change them) and keep no history there, with the user's V8 code
 * cache kept.
 */
export const daemonEnv = (dir: string, extra: Record<string, string>): Record<string, string> =>
  childEnv({
    HOME: dir,
    HISTFILE: "",
    CCL_CACHE_DIR:
      process.env.CCL_CACHE_DIR ||
      path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "ccl"),
    ...extra,
  })

/** Runs a program to its end; killed when interrupted or after `timeoutMs`. Never fails: check `code`. */
export const runChild = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env?: Record<string, string>; readonly timeoutMs?: number },
): Effect.Effect<ChildResult> =>
  Effect.async<ChildResult>((resume) => {
    let stdout = ""
    let stderr = ""
    let child: ChildProcess
    try {
      child = spawn(file, args, {
        cwd: options.cwd,
        env: options.env ?? childEnv(),
        stdio: ["ignore", "pipe", "pipe"],
      })
    } catch (e) {
      resume(Effect.succeed({ code: null, stdout, stderr: (e as Error).message }))
      return
    }
    child.stdout?.on("data", (d) => (stdout += d))
    child.stderr?.on("data", (d) => (stderr += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 30_000)
    child.on("error", (e) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code: null, stdout, stderr: stderr + e.message }))
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      resume(Effect.succeed({ code, stdout, stderr }))
    })
    return Effect.sync(() => {
      clearTimeout(timer)
      child.kill("SIGKILL")
    })
  })

/** `tmux -L <socket> ...args`. */
export const tmux = (socket: string, ...args: ReadonlyArray<string>) =>
  runChild("tmux", ["-L", socket, ...args], { cwd: process.cwd(), env: childEnv(), timeoutMs: 10_000 })

/** Where tmux keeps the socket named `socket` (its default: `$TMUX_TMPDIR/tmux-<uid>/<socket>`). */
const socketPath = (socket: string) =>
  path.join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket)

/** Kills the server on `socket` and removes the socket file tmux leaves behind. */
const killServer = (socket: string) =>
  Effect.zipRight(
    tmux(socket, "kill-server"),
    Effect.sync(() => {
      const file = socketPath(socket)
      try {
        if (lstatSync(file).isSocket()) unlinkSync(file)
      } catch {}
    }),
  )

/** The tmux server on `socket`, killed when the scope closes (and any stale one with that name, first). */
export const tmuxServerScoped = (socket: string): Effect.Effect<void, never, Scope.Scope> =>
  Effect.acquireRelease(killServer(socket), () => killServer(socket))

export interface DaemonChild {
  readonly pid: number | undefined
  /** Completes with the exit code (or signal) when the daemon exits. */
  readonly exited: Deferred.Deferred<string>
}

/**
 * `ccl daemon --config <config>` in its own process group (Ctrl-C reaches only the demo, which stops the daemon
 * in order), its output appended to `log`. Stopped with SIGTERM when the scope closes (SIGKILL after 15 s).
 */
export const daemonScoped = (o: {
  readonly node: string
  readonly script: string
  readonly config: string
  readonly cwd: string
  readonly log: string
  readonly env: Record<string, string>
}): Effect.Effect<DaemonChild, ReturnType<typeof failure>, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const exited = yield* Deferred.make<string>()
      const child = yield* Effect.try({
        try: () => {
          const fd = openSync(o.log, "a", 0o600)
          try {
            return spawn(o.node, [o.script, "daemon", "--config", o.config], {
              cwd: o.cwd,
              env: o.env,
              stdio: ["ignore", fd, fd],
              detached: true,
            })
          } finally {
            closeSync(fd)
          }
        },
        catch: (e) => failure(`demo: cannot start the daemon: ${(e as Error).message}`),
      })
      child.on("error", (e) => Deferred.unsafeDone(exited, Effect.succeed(`error ${e.message}`)))
      child.on("exit", (code, signal) =>
        Deferred.unsafeDone(exited, Effect.succeed(code === null ? `signal ${signal}` : `code ${code}`)),
      )
      return { child, handle: { pid: child.pid, exited } }
    }),
    ({ child, handle }) =>
      Effect.gen(function* () {
        if (yield* Deferred.isDone(handle.exited)) return
        child.kill("SIGTERM")
        const stopped = yield* Deferred.await(handle.exited).pipe(Effect.timeout("15 seconds"), Effect.option)
        if (stopped._tag === "None") child.kill("SIGKILL")
      }),
  ).pipe(Effect.map(({ handle }) => handle))
