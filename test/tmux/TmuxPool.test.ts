// TmuxPool on the real tmux binary, on a private socket, with a pane program that records every byte it gets.

import { spawnSync } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Schedule } from "effect"
import { TmuxPoolCli, type TmuxPoolOptions } from "../../src/layers/TmuxPoolCli.js"
import { TmuxPoolControl } from "../../src/layers/TmuxPoolControl.js"
import { TmuxPool } from "../../src/services/TmuxPool.js"
import { tempDir } from "../support/tempDir.js"
import { eventually, privateSocket } from "../support/tmux.js"

const server = privateSocket()
afterAll(() => server.kill())

// Raw mode + bracketed paste on, like Claude Code; appends raw input to a file and shows a byte count on screen.
const RECORDER = `
const fs = require("fs"); const out = process.argv[2]; let n = 0
process.stdin.setRawMode(true); process.stdout.write("\\x1b[?2004h ready\\n")
process.stdin.on("data", (d) => { fs.appendFileSync(out, d); n += d.length; process.stdout.write("\\rgot " + n + " bytes ") })
`

const recorder = (name: string) => {
  const dir = tempDir()
  const script = path.join(dir, "rec.cjs")
  const out = path.join(dir, "in.bin")
  writeFileSync(script, RECORDER)
  return {
    out,
    create: Effect.flatMap(TmuxPool, (t) =>
      t.create({ name, cwd: dir, env: { CCL_SESSION: name }, command: `node ${script} ${out}` }),
    ),
    received: () => (existsSync(out) ? readFileSync(out, "latin1") : ""),
  }
}

const waitScreen = (name: string, text: string) =>
  Effect.promise(() =>
    eventually(
      () => (server.tmux("capture-pane", "-p", "-t", `=${name}:`).includes(text) ? true : undefined),
      5_000,
      () => server.tmux("capture-pane", "-p", "-t", `=${name}:`),
    ),
  )

// The same contract for both layers: `tmux.mode: exec` (a process per command) and `control` (one tmux -C).
const MODES: ReadonlyArray<
  readonly [string, (options: TmuxPoolOptions) => Layer.Layer<TmuxPool, never, NodeContext.NodeContext>]
> = [
  ["exec", TmuxPoolCli],
  ["control", TmuxPoolControl],
]

describe.each(MODES)("TmuxPool, %s mode (real tmux, private socket)", (_mode, makeLayer) => {
  const layer = makeLayer({ socket: server.socket }).pipe(Layer.provide(NodeContext.layer))

  it.live("create, list, has, capture, kill; exact targets: ccl-pool-1 is not ccl-pool-10", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      const dir = tempDir()
      yield* t.create({ name: "ccl-pool-10", cwd: dir, env: { CCL_SESSION: "ccl-pool-10" }, command: "sh" })
      expect(yield* t.has("ccl-pool-1")).toBe(false)
      expect(yield* t.kill("ccl-pool-1")).toBe(false)
      expect(yield* t.has("ccl-pool-10")).toBe(true)
      yield* t.create({ name: "ccl-pool-1", cwd: dir, env: { CCL_SESSION: "ccl-pool-1" }, command: "sh" })
      const names = (yield* t.list).map((s) => s.name)
      expect(names).toEqual(expect.arrayContaining(["ccl-pool-1", "ccl-pool-10"]))
      // tmux starts the command through the default shell (`bash -c sh`), which execs sh a moment later: until
      // then the pane's current command is bash, so wait for the exec rather than read once.
      const runningSh = t.list.pipe(
        Effect.map((sessions) => sessions.find((s) => s.name === "ccl-pool-1")),
        Effect.filterOrFail((info) => info?.currentCommand === "sh"),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("5 seconds"))),
        Effect.orElse(() =>
          t.list.pipe(Effect.map((sessions) => sessions.find((s) => s.name === "ccl-pool-1"))),
        ),
      )
      const info = (yield* runningSh)!
      expect(info.panePid).toBeGreaterThan(0)
      expect(info.currentCommand).toBe("sh")
      // The session's environment and cwd are the ones asked for.
      yield* t.sendText("ccl-pool-1", 'echo "S=$CCL_SESSION D=$(pwd)"')
      yield* waitScreen("ccl-pool-1", `S=ccl-pool-1 D=${dir}`)
      expect(yield* t.kill("ccl-pool-1")).toBe(true)
      expect(yield* t.has("ccl-pool-1")).toBe(false)
      expect(yield* t.has("ccl-pool-10")).toBe(true)
      yield* t.kill("ccl-pool-10")
    }).pipe(Effect.provide(layer)),
  )

  it.live("text arrives literally as one bracketed paste, then exactly one Enter", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      const r = recorder("inj-1")
      yield* r.create
      yield* waitScreen("inj-1", "ready")
      const nasty = [
        "line one; kill-server ;",
        "Enter C-c Escape",
        "$(rm -rf ~) `whoami` 'quotes' \"dq\" \\",
        "tabs\there",
        `ends with a semicolon;`,
      ].join("\n")
      yield* t.sendText("inj-1", nasty)
      const got = yield* Effect.promise(() =>
        eventually(() => (r.received().endsWith("\r") ? r.received() : undefined), 5_000, r.received),
      )
      expect(got).toBe(`\x1b[200~${nasty.replace(/\n/g, "\r")}\x1b[201~\r`)
      expect(yield* t.has("inj-1")).toBe(true) // no "kill-server" ran
      yield* t.kill("inj-1")
    }).pipe(Effect.provide(layer)),
  )

  it.live(
    "control bytes are stripped: an embedded ESC[201~ cannot end the paste, ^C never reaches the pane",
    () =>
      Effect.gen(function* () {
        const t = yield* TmuxPool
        const r = recorder("inj-2")
        yield* r.create
        yield* waitScreen("inj-2", "ready")
        yield* t.sendText("inj-2", "before\x1b[201~after\x03\x07 done\\")
        const got = yield* Effect.promise(() =>
          eventually(() => (r.received().endsWith("\r") ? r.received() : undefined), 5_000, r.received),
        )
        // ESC, ^C and BEL removed; a trailing backslash gets a space so Claude Code submits instead of adding a line.
        expect(got).toBe("\x1b[200~before[201~after done\\ \x1b[201~\r")
        yield* t.kill("inj-2")
      }).pipe(Effect.provide(layer)),
  )

  it.live("100 KB of text arrives whole", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      const r = recorder("big")
      yield* r.create
      yield* waitScreen("big", "ready")
      const big = Array.from({ length: 2_000 }, (_, i) => `line ${i}: ${"x".repeat(44)}`).join("\n")
      expect(big.length).toBeGreaterThan(100_000)
      yield* t.sendText("big", big)
      const got = yield* Effect.promise(() =>
        eventually(
          () => (r.received().endsWith("\x1b[201~\r") ? r.received() : undefined),
          10_000,
          () => `${r.received().length} bytes`,
        ),
      )
      expect(got).toBe(`\x1b[200~${big.replace(/\n/g, "\r")}\x1b[201~\r`)
      yield* t.kill("big")
    }).pipe(Effect.provide(layer)),
  )

  it.live("a pane in copy mode is taken out of it before pasting", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      const r = recorder("copy")
      yield* r.create
      yield* waitScreen("copy", "ready")
      server.tmux("copy-mode", "-t", "=copy:")
      expect(server.tmux("display-message", "-p", "-t", "=copy:", "#{pane_in_mode}").trim()).toBe("1")
      yield* t.sendText("copy", "hello")
      const got = yield* Effect.promise(() =>
        eventually(() => (r.received().endsWith("\r") ? r.received() : undefined), 5_000, r.received),
      )
      expect(got).toBe("\x1b[200~hello\x1b[201~\r")
      yield* t.kill("copy")
    }).pipe(Effect.provide(layer)),
  )

  it.live(
    "a paste that does not land withholds Enter (PasteNotLanded); tmux errors are typed with stderr",
    () =>
      Effect.gen(function* () {
        const dir = tempDir()
        // A pane whose screen never changes: its program ignores input and prints nothing.
        const frozen = makeLayer({ socket: server.socket, landingTimeoutMs: 300 }).pipe(
          Layer.provide(NodeContext.layer),
        )
        yield* Effect.gen(function* () {
          const t = yield* TmuxPool
          yield* t.create({ name: "frozen", cwd: dir, env: {}, command: "stty -echo; sleep 60" })
          yield* Effect.sleep("300 millis")
          const err = yield* Effect.flip(t.sendText("frozen", "are you there"))
          expect(err).toMatchObject({ _tag: "PasteNotLanded", session: "frozen" })
          const missing = yield* Effect.flip(t.capture("no-such-session"))
          expect(missing._tag).toBe("TmuxError")
          expect((missing as { stderr: string }).stderr).toMatch(/can't find/)
          yield* t.kill("frozen")
        }).pipe(Effect.provide(frozen))
      }),
  )

  it.live(
    "every session killed and recreated at once (a swap): each create succeeds, the server never exits empty",
    () =>
      Effect.gen(function* () {
        const own = privateSocket()
        try {
          const t = yield* makeLayer({ socket: own.socket }).pipe(
            Layer.provide(NodeContext.layer),
            Layer.build,
            Effect.map((ctx) => Context.get(ctx, TmuxPool)),
          )
          const dir = tempDir()
          const names = ["s-1", "s-2", "s-3", "s-4"]
          const spec = (name: string) => ({ name, cwd: dir, env: { CCL_SESSION: name }, command: "sh" })
          for (const n of names) yield* t.create(spec(n))
          // All gone for a moment: the server stays up (it used to exit, and a create racing its exit failed with
          // "server exited unexpectedly").
          yield* Effect.forEach(names, (n) => t.kill(n), { concurrency: "unbounded" })
          expect(own.tmux("show-options", "-s", "exit-empty").trim()).toBe("exit-empty off")
          for (let round = 0; round < 5; round++)
            yield* Effect.forEach(names, (n) => Effect.zipRight(t.kill(n), t.create(spec(n))), {
              concurrency: "unbounded",
            })
          expect((yield* t.list).map((s) => s.name).sort()).toEqual(names)
        } finally {
          own.kill()
        }
      }).pipe(
        Effect.scoped,
        // A tmux failure says which command and what tmux answered.
        Effect.catchAll((e) => Effect.die(new Error(`${e.command}: ${e.stderr}`))),
      ),
  )

  it.live("list on a server that is not running is empty, not an error", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      expect(yield* t.list).toEqual([])
      expect(yield* t.has("anything")).toBe(false)
      expect(yield* t.kill("anything")).toBe(false)
      // ...and asking did not start one.
      expect(spawnSync("tmux", ["-L", `ccl-none-${process.pid}`, "ls"]).status).not.toBe(0)
    }).pipe(
      Effect.provide(makeLayer({ socket: `ccl-none-${process.pid}` }).pipe(Layer.provide(NodeContext.layer))),
    ),
  )

  it.live("text that is tmux syntax never runs a tmux command; a cwd full of it is taken literally", () =>
    Effect.gen(function* () {
      const t = yield* TmuxPool
      const r = recorder("syntax")
      yield* r.create
      yield* waitScreen("syntax", "ready")
      const hostile = [
        "'; kill-server; '",
        '"; kill-server; "',
        "\\; kill-server \\",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: text for tmux and the shell, literally
        "$(kill-server) ${HOME} ~ %if 1 %endif %1 #{session_name} #[fg=red]",
        "{ kill-server } {",
        "} ; run-shell 'touch /tmp/pwned' ;",
      ].join("\n")
      yield* t.sendText("syntax", hostile)
      const got = yield* Effect.promise(() =>
        eventually(() => (r.received().endsWith("\r") ? r.received() : undefined), 5_000, r.received),
      )
      expect(got).toBe(`\x1b[200~${hostile.replace(/\n/g, "\r")}\x1b[201~\r`)
      expect(yield* t.has("syntax")).toBe(true) // the server is still up
      yield* t.kill("syntax")
      // Arguments too: a working directory with quotes, ;, $ and braces reaches the session unchanged.
      // (Not "#": tmux expands formats in -c, in both modes.)
      const dir = path.join(tempDir(), 'it\'s; $HOME {x} "q" \\')
      mkdirSync(dir)
      yield* t.create({ name: "odd-cwd", cwd: dir, env: { ODD: "a'b;c $x" }, command: "sh" })
      yield* t.sendText("odd-cwd", 'printf "[%s|%s]\\n" "$(pwd)" "$ODD"')
      yield* waitScreen("odd-cwd", `[${dir}|a'b;c $x]`)
      yield* t.kill("odd-cwd")
    }).pipe(Effect.provide(layer)),
  )
})
