// `ccl status --watch` on a pipe against a real daemon (real tmux, simulated agent): one plain block per refresh,
// the disk view while the daemon is down, and the live table once it answers. On a terminal (script(1)'s pty):
// redrawn in place on the alternate screen, given back on Ctrl-C.

import { spawn, spawnSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CCL } from "../support/cli.js"
import { daemonProject } from "../support/daemonProject.js"
import { tempDir } from "../support/tempDir.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "tok-status-watch"

describe("ccl status --watch on a pipe", () => {
  it.live(
    "plain blocks separated by a blank line: the disk view first, then the daemon's sessions once it answers",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 200, token: TOKEN }))
        const watch = spawn(process.execPath, [CCL, "status", "--watch", "--every", "200ms"], {
          cwd: p.dir,
          // A TTY would get colours; a pipe must not, even without NO_COLOR.
          env: {
            PATH: process.env.PATH ?? "",
            HOME: p.dir,
            CCL_CACHE_DIR: path.join(p.dir, ".cache"),
            CCL_API_TOKEN: TOKEN,
          },
          stdio: ["ignore", "pipe", "pipe"],
        })
        let out = ""
        watch.stdout.on("data", (d) => (out += d))
        try {
          const blocks = () => out.split("\n\n")
          // Two whole blocks of the disk view: it keeps refreshing while nobody answers.
          yield* Effect.promise(() =>
            eventually(
              () => (blocks().length >= 3 ? true : undefined),
              20_000,
              () => out,
            ),
          )
          for (const block of blocks().slice(0, 2)) {
            expect(block.split("\n")).toEqual([
              expect.stringContaining(`no daemon answers on 127.0.0.1:${p.port} (from disk), account main`),
              "queue: pending 0, active 0, done 0, failed 0, delegated 0",
              "accounts: main (active)",
              "sessions: unknown while the daemon is down",
            ])
          }

          // The daemon starts: the same watch shows its session, ready, with an age.
          p.start()
          const live = yield* Effect.promise(() =>
            eventually(
              () => blocks().find((b, i) => i < blocks().length - 1 && /ccl-pool-1\s+main\s+ready\s/.test(b)),
              30_000,
              () => `${out}\n--- daemon log:\n${p.log()}`,
            ),
          )
          const lines = live.split("\n")
          expect(lines[0]).toMatch(/^daemon pid \d+, account main, up \d+s$/)
          expect(lines).toContain("accounts: main (active)")
          expect(lines).toContainEqual(
            expect.stringMatching(/^SESSION\s+ACCOUNT\s+PHASE\s+STATE\s+TASK\s+SINCE$/),
          )
          expect(lines).toContainEqual(expect.stringMatching(/^ccl-pool-1\s+main\s+ready\s+\S+\s+-\s+\d+s$/))
          expect(out).not.toContain("\x1b")
        } finally {
          watch.kill("SIGKILL")
          yield* Effect.promise(() => p.stop())
        }
      }),
    90_000,
  )
})

describe("ccl status --watch follows the daemon's events", () => {
  it.live(
    "with --every 1h (no polling to speak of): redrawn when a task is done, when the daemon stops, when it is back",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 200, token: TOKEN }))
        p.start()
        yield* Effect.promise(() =>
          eventually(
            async () => ((await p.api("/api/status").catch(() => undefined))?.ok ? true : undefined),
            30_000,
            p.log,
          ),
        )
        const watch = spawn(process.execPath, [CCL, "status", "--watch", "--every", "1h"], {
          cwd: p.dir,
          env: {
            PATH: process.env.PATH ?? "",
            HOME: p.dir,
            CCL_CACHE_DIR: path.join(p.dir, ".cache"),
            CCL_API_TOKEN: TOKEN,
          },
          stdio: ["ignore", "pipe", "pipe"],
        })
        let out = ""
        watch.stdout.on("data", (d) => (out += d))
        /** The index of the first whole block after block `after` that `test` matches (a block is one write, under
         * PIPE_BUF: whole once its newline came). */
        const blockAfter = (after: number, test: RegExp, what: string) =>
          Effect.promise(() =>
            eventually(
              () => {
                const blocks = out.endsWith("\n") ? out.split("\n\n") : out.split("\n\n").slice(0, -1)
                const i = blocks.findIndex((b, i) => i > after && test.test(b))
                return i < 0 ? undefined : i
              },
              30_000,
              () => `${what}:\n${out}\n--- daemon log:\n${p.log()}`,
            ),
          )
        try {
          const ready = yield* blockAfter(-1, /ccl-pool-1\s+main\s+ready\s/, "the session ready")
          expect(
            (yield* Effect.promise(() => p.ccl(["queue", "add", "--id", "one", "--text", "Do one"]))).code,
          ).toBe(0)
          const done = yield* blockAfter(ready, /done 1\b/, "task one done")
          yield* Effect.promise(() => p.stop())
          const down = yield* blockAfter(done, /no daemon answers/, "the daemon down")
          p.start()
          yield* blockAfter(down, /^daemon pid \d+, account main/, "the daemon back")
        } finally {
          watch.kill("SIGKILL")
          yield* Effect.promise(() => p.stop())
        }
      }),
    120_000,
  )
})

/** `ccl status --watch` in a pseudo-terminal, stopped by a Ctrl-C typed into it: everything it wrote. */
const watchOnTerminal = (env: Record<string, string>) =>
  new Promise<{ out: string; code: number | null }>((resolve) => {
    const dir = tempDir()
    writeFileSync(path.join(dir, "ccl.yaml"), "queue: ./queue\nstate: ./state\napi: { port: 1 }\n")
    const command = `${process.execPath} ${CCL} status --watch --every 100ms`
    const child = spawn("script", ["-qec", command, "/dev/null"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, TERM: "xterm", ...env },
      stdio: ["pipe", "pipe", "ignore"],
    })
    let out = ""
    let sent = false
    child.stdin.on("error", () => {})
    child.stdout.on("data", (d) => {
      out += d
      // Ctrl-C once two frames are drawn; the pty turns it into SIGINT for ccl.
      if (!sent && out.split("\x1b[H\x1b[2J").length >= 3) {
        sent = true
        child.stdin.write("\x03")
      }
    })
    child.on("close", (code) => resolve({ out, code }))
  })

describe.skipIf(spawnSync("script", ["--version"]).status !== 0)("ccl status --watch on a terminal", () => {
  it("alternate screen, each refresh drawn from the top, the screen given back on Ctrl-C", async () => {
    const { out, code } = await watchOnTerminal({})
    expect(out.startsWith("\x1b[?1049h")).toBe(true)
    expect(out.split("\x1b[H\x1b[2J").length).toBeGreaterThanOrEqual(3)
    expect(out).toContain("sessions: unknown while the daemon is down")
    expect(out).toMatch(/\x1b\[1;31mno daemon answers/)
    expect(out.trimEnd().endsWith("\x1b[?1049l")).toBe(true)
    expect(code).toBe(130)
  }, 30_000)

  it("NO_COLOR: redrawn in place, without colours", async () => {
    const { out } = await watchOnTerminal({ NO_COLOR: "1" })
    expect(out).toContain("\x1b[H\x1b[2J")
    expect(out).not.toMatch(/\x1b\[[0-9;]*m/)
  }, 30_000)
})
