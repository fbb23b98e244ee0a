// What only the control-mode layer has: one tmux -C connection (dropped and made again), its holder session,
// quoting for tmux's parser, and %output notifications. The shared contract is in TmuxPool.test.ts.

import { spawn, spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Queue } from "effect"
import { startClient, write } from "../../src/layers/TmuxControlClient.js"
import { makeTmuxControlConnection } from "../../src/layers/TmuxControlConnection.js"
import { TmuxPoolControl } from "../../src/layers/TmuxPoolControl.js"
import { TmuxEvents, type TmuxNotification } from "../../src/services/TmuxEvents.js"
import { TmuxPool } from "../../src/services/TmuxPool.js"
import { tempDir } from "../support/tempDir.js"
import { eventually, privateSocket } from "../support/tmux.js"

/** A pool (and its events) on a server of its own, torn down with the test's scope. */
const ownPool = Effect.gen(function* () {
  const server = privateSocket()
  yield* Effect.addFinalizer(() => Effect.sync(() => server.kill()))
  const ctx = yield* Layer.build(
    TmuxPoolControl({ socket: server.socket }).pipe(Layer.provide(NodeContext.layer)),
  )
  return { server, pool: Context.get(ctx, TmuxPool), events: Context.get(ctx, TmuxEvents) }
})

const sessionNames = (server: ReturnType<typeof privateSocket>) =>
  server
    .tmux("list-sessions", "-F", "#{session_name}")
    .split("\n")
    .filter((l) => l !== "")

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const spec = (name: string, command = "sh") => ({ name, cwd: tempDir(), env: {}, command })

/**
 * Waits for %output from `paneId` (published at most once per pane every 20 ms: the signal that it printed), then
 * for `text` on its screen.
 */
const outputFrom = (
  queue: Queue.Dequeue<TmuxNotification>,
  paneId: string,
  text: string,
  capture: () => string,
) =>
  Effect.gen(function* () {
    for (;;) {
      const n = yield* Queue.take(queue)
      if (n._tag === "Output" && n.paneId === paneId) break
    }
    while (!capture().includes(text)) yield* Effect.sleep("20 millis")
    return capture()
  }).pipe(
    Effect.timeoutFail({
      duration: "5 seconds",
      onTimeout: () => new Error(`no %output "${text}" from ${paneId}`),
    }),
  )

describe("TmuxPoolControl (one tmux -C connection)", () => {
  it.live(
    "a call in flight when the server dies fails with TmuxError (no hang); the next call reconnects",
    () =>
      Effect.gen(function* () {
        const { server, pool } = yield* ownPool
        yield* pool.create(spec("first"))
        const pid = Number(server.tmux("display-message", "-p", "#{pid}").trim())
        process.kill(pid, "SIGSTOP") // the capture below is written but cannot be answered
        const started = Date.now()
        const inFlight = yield* Effect.fork(Effect.flip(pool.capture("first")))
        yield* Effect.sleep("200 millis")
        process.kill(pid, "SIGKILL")
        const err = yield* inFlight.await.pipe(Effect.flatten)
        expect(err._tag).toBe("TmuxError")
        expect(err).toMatchObject({ command: "tmux capture-pane -p -J -t =first:" })
        expect((err as { stderr: string }).stderr).toMatch(/tmux control client ended/)
        expect(Date.now() - started).toBeLessThan(3_000)
        // No server now: like exec mode, an empty list and no such session; then create starts a new one.
        expect(yield* pool.list).toEqual([])
        expect(yield* pool.has("first")).toBe(false)
        yield* pool.create(spec("second"))
        expect((yield* pool.list).map((s) => s.name)).toEqual(["second"])
        expect(yield* pool.has("second")).toBe(true)
      }).pipe(Effect.scoped),
  )

  it.live("a server that stops answering: the call fails at the timeout, the next one connects again", () =>
    Effect.gen(function* () {
      const server = privateSocket()
      yield* Effect.addFinalizer(() => Effect.sync(() => server.kill()))
      server.tmux("new-session", "-d", "-s", "x", "sh")
      const control = yield* makeTmuxControlConnection({ socket: server.socket, timeoutMs: 300 })
      const pid = Number(server.tmux("display-message", "-p", "#{pid}").trim())
      yield* control.run(() => [["list-sessions"]])
      process.kill(pid, "SIGSTOP")
      const err = yield* Effect.flip(control.run(() => [["list-sessions"]]))
      process.kill(pid, "SIGCONT")
      expect(err).toMatchObject({ _tag: "TmuxError", stderr: "no answer from tmux within 300 ms" })
      const [r] = yield* control.run(() => [["has-session", "-t", "=x"]])
      expect(r!.ok).toBe(true)
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)),
  )

  it.live("every argument reaches tmux literally: quotes, ;, \\, $(...), %, #{}, braces, newline, tab", () =>
    Effect.gen(function* () {
      const server = privateSocket()
      yield* Effect.addFinalizer(() => Effect.sync(() => server.kill()))
      const control = yield* makeTmuxControlConnection({ socket: server.socket })
      const file = path.join(tempDir(), "buffer")
      const values = [
        "'; kill-server; '",
        `"; kill-server; "`,
        "a\\b\\\\c\\",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: text for tmux and the shell, literally
        "$(kill-server) ${HOME} $HOME ~ ~/x",
        "%if 1\n%endif %1 %% #{session_name} ## #[bold]",
        "{ kill-server } }{",
        "tab\there\r\x7f; run-shell 'touch /tmp/ccl-pwned'",
        "é ✓ 日本",
      ]
      for (const value of values) {
        const replies = yield* control.run(
          () => [
            ["set-buffer", "-b", "q", value],
            ["save-buffer", "-b", "q", file],
          ],
          true,
        )
        expect(replies.map((r) => r.output)).toEqual(["", ""])
        expect(readFileSync(file, "utf8")).toBe(value)
      }
      expect(sessionNames(server).filter((n) => !n.startsWith("_ccl-control-"))).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(NodeContext.layer)),
  )

  it.live(
    "the holder session never shows in list; closing detaches: the sessions and server stay, the holder goes",
    () =>
      Effect.gen(function* () {
        const server = privateSocket()
        try {
          yield* Effect.scoped(
            Effect.gen(function* () {
              const ctx = yield* Layer.build(
                TmuxPoolControl({ socket: server.socket }).pipe(Layer.provide(NodeContext.layer)),
              )
              const pool = Context.get(ctx, TmuxPool)
              yield* pool.create(spec("kept"))
              expect(sessionNames(server).some((n) => n.startsWith("_ccl-control-"))).toBe(true)
              expect((yield* pool.list).map((s) => s.name)).toEqual(["kept"])
            }),
          )
          expect(sessionNames(server)).toEqual(["kept"])
          expect(server.tmux("list-windows", "-t", "=kept", "-F", "#{window_linked}").trim()).toBe("0")
        } finally {
          server.kill()
        }
      }),
  )

  it.live("%output arrives for a pane that prints: a session it created, and one it found with has", () =>
    Effect.gen(function* () {
      const { server, pool, events } = yield* ownPool
      const queue = yield* events.subscribe
      yield* pool.create(spec("talks"))
      const pane = (yield* pool.list).find((s) => s.name === "talks")!.paneId
      yield* pool.sendText("talks", "echo said-$((6*7))")
      const screen = (name: string) => () => server.tmux("capture-pane", "-p", "-t", `=${name}:`)
      expect(yield* outputFrom(queue, pane, "said-42", screen("talks"))).toContain("said-42")
      // A session from before this connection (an earlier daemon's): has() makes its output reach us too.
      server.tmux("new-session", "-d", "-s", "older", "sh")
      expect(yield* pool.has("older")).toBe(true)
      const older = (yield* pool.list).find((s) => s.name === "older")!.paneId
      server.tmux("send-keys", "-t", "=older:", "echo older-$((7*6))", "Enter")
      yield* outputFrom(queue, older, "older-42", screen("older"))
    }).pipe(Effect.scoped),
  )

  it.live(
    "a ccl session killed from outside does not live on in the holder; a dead client's holder is removed",
    () =>
      Effect.gen(function* () {
        const { server, pool } = yield* ownPool
        yield* pool.create(spec("victim", "sleep 1000"))
        const pid = (yield* pool.list).find((s) => s.name === "victim")!.panePid
        server.tmux("kill-session", "-t", "=victim")
        yield* Effect.promise(() =>
          eventually(
            () => (alive(pid) ? undefined : true),
            5_000,
            () => `${pid} alive`,
          ),
        )
        // A control client killed without closing leaves its holder unattached: the next connection removes it.
        const stray = spawn("tmux", [
          "-L",
          server.socket,
          "-C",
          "new-session",
          "-s",
          "_ccl-control-1-1",
          "sleep 100",
        ])
        yield* Effect.promise(() =>
          eventually(
            () => (sessionNames(server).includes("_ccl-control-1-1") ? true : undefined),
            5_000,
            () => "no stray",
          ),
        )
        stray.kill("SIGKILL")
        const attached = () =>
          server.tmux("display-message", "-p", "-t", "=_ccl-control-1-1:", "#{session_attached}")
        yield* Effect.promise(() =>
          eventually(() => (attached().trim() === "0" ? true : undefined), 5_000, attached),
        )
        const other = yield* Layer.build(
          TmuxPoolControl({ socket: server.socket }).pipe(Layer.provide(NodeContext.layer)),
        )
        yield* Context.get(other, TmuxPool).list
        expect(sessionNames(server)).not.toContain("_ccl-control-1-1")
      }).pipe(Effect.scoped),
  )

  it.live(
    "a client whose daemon vanished while tmux had output for it is killed: kill-server still works",
    () =>
      Effect.gen(function* () {
        const server = privateSocket()
        yield* Effect.addFinalizer(() => Effect.sync(() => server.kill()))
        server.tmux("new-session", "-d", "-s", "busy", "while :; do seq 1 500; done")
        const holder = "_ccl-control-test-1"
        const client = yield* startClient(
          holder,
          ["-L", server.socket, "-C", "new-session", "-s", holder, "sleep 100"],
          () => undefined,
        )
        yield* write(client, [["link-window", "-d", "-s", "=busy:", "-t", `=${holder}:`]])
        yield* Effect.sleep("300 millis")
        // What the kernel does when this process dies: its ends of tmux's stdout and of fd 3 close. Left alone,
        // tmux 3.3a would keep that client forever, and hang in kill-server below ("server exited unexpectedly").
        client.child.stdout!.destroy()
        client.child.stdio[3]!.destroy()
        const clients = () => server.tmux("list-clients")
        yield* Effect.promise(() => eventually(() => (clients() === "" ? true : undefined), 5_000, clients))
        server.tmux("kill-server")
        const ls = () => spawnSync("tmux", ["-L", server.socket, "ls"], { encoding: "utf8" }).stderr
        yield* Effect.promise(() =>
          eventually(() => (/no server running/.test(ls()) ? true : undefined), 5_000, ls),
        )
      }).pipe(Effect.scoped),
  )
})
