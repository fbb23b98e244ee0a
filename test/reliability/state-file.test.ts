// Fault 4 (RELIABILITY.md): a truncated, garbage or oversized state.json is moved aside as
// `state.json.corrupt.<time>` (its bytes kept), reported, and the daemon starts with an empty state. Unit level on
// makeStateStoreFile, then end to end: a daemon started over a garbage state file serves its API and runs a task.

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Logger } from "effect"
import { emptyDaemonState } from "../../src/domain/DaemonState.js"
import { makeStateStoreFile } from "../../src/layers/StateStoreFile.js"
import { runCclAsync } from "../support/cli.js"
import { daemonProject, freePort } from "../support/daemonProject.js"
import { tempDir } from "../support/tempDir.js"
import { eventually } from "../support/tmux.js"

const EMPTY = emptyDaemonState

/** Runs makeStateFile over `<dir>/state` with its logs captured; never throws (a defect becomes a failed Exit). */
const open = (stateDir: string) =>
  Effect.gen(function* () {
    const logs: Array<string> = []
    const logger = Logger.make(({ message }) => {
      logs.push(Array.isArray(message) ? message.map(String).join(" ") : String(message))
    })
    const exit = yield* makeStateStoreFile(stateDir).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Effect.exit,
    )
    return { exit, logs }
  })

const asides = (stateDir: string) => readdirSync(stateDir).filter((n) => n.startsWith("state.json.corrupt."))

/** Writes `bytes` as state.json, opens the state file, and checks the quarantine: aside, bytes kept, empty state. */
const expectQuarantined = (bytes: Buffer) =>
  Effect.gen(function* () {
    const stateDir = path.join(tempDir(), "state")
    mkdirSync(stateDir, { recursive: true, mode: 0o700 })
    writeFileSync(path.join(stateDir, "state.json"), bytes)
    const { exit, logs } = yield* open(stateDir)
    expect(Exit.isSuccess(exit), `makeStateFile failed: ${String(exit)}`).toBe(true)
    if (!Exit.isSuccess(exit)) return
    const state = exit.value
    expect(state.get()).toEqual(EMPTY)
    expect(existsSync(path.join(stateDir, "state.json"))).toBe(false)
    const moved = asides(stateDir)
    expect(moved).toHaveLength(1)
    expect(moved[0]).toMatch(/^state\.json\.corrupt\.[0-9TZ-]+$/)
    // Moved, not rewritten: the quarantined file is byte-identical to what was there.
    expect(readFileSync(path.join(stateDir, moved[0]!)).equals(bytes)).toBe(true)
    // Reported, naming where it went.
    expect(logs.some((l) => l.includes("corrupt") && l.includes(moved[0]!))).toBe(true)
    // And the daemon carries on: the next write makes a fresh, valid state.json.
    yield* state.update((s) => ({ ...s, active_account: "main" }))
    expect(JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8"))).toMatchObject({
      active_account: "main",
    })
    // A second start reads the good file and quarantines nothing more.
    const again = yield* open(stateDir)
    expect(Exit.isSuccess(again.exit) && again.exit.value.get().active_account).toBe("main")
    expect(asides(stateDir)).toHaveLength(1)
  })

const validState = JSON.stringify({
  active_account: "main",
  attempts: { "task-1": 1 },
  cooldowns: {},
  inflight: { "ccl-pool-1": { task: "task-1", attempt: 1, sent_at: 1 } },
  swap: null,
  history: [],
})

describe("state.json faults", () => {
  it.effect(
    "fault 4: a truncated state.json -> quarantined as state.json.corrupt.<time> with its bytes, empty state, nothing thrown",
    () => expectQuarantined(Buffer.from(validState.slice(0, Math.floor(validState.length / 2)))),
  )

  it.effect(
    "fault 4: a garbage state.json (binary bytes, not JSON) -> quarantined with its bytes, empty state, nothing thrown",
    () =>
      Effect.gen(function* () {
        yield* expectQuarantined(
          Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x80]),
        )
        // JSON of the wrong shape is garbage too.
        yield* expectQuarantined(Buffer.from('{"active_account": 42, "attempts": "many"}'))
        yield* expectQuarantined(Buffer.from("[1, 2, 3]"))
        yield* expectQuarantined(Buffer.from(""))
      }),
  )

  it.effect(
    "fault 4: an oversized (20 MB) garbage state.json -> quarantined with its bytes, empty state, nothing thrown",
    () => expectQuarantined(Buffer.alloc(20 * 1024 * 1024, "x")),
  )

  it.effect(
    "fault 4: an oversized (20 MB) but parsable state.json -> quarantined too (size cap), empty state",
    () => expectQuarantined(Buffer.from(validState.replace("{", `{${" ".repeat(20 * 1024 * 1024)}`))),
  )

  it.effect("fault 4 (files): a fresh state file is written 0600 in a 0700 folder, whatever the umask", () =>
    Effect.gen(function* () {
      const stateDir = path.join(tempDir(), "deep", "state")
      const before = process.umask(0)
      try {
        const { exit } = yield* open(stateDir)
        expect(Exit.isSuccess(exit)).toBe(true)
        if (!Exit.isSuccess(exit)) return
        expect(statSync(stateDir).mode & 0o777).toBe(0o700)
        yield* exit.value.update((s) => ({ ...s, attempts: { a: 1 } }))
        expect(statSync(path.join(stateDir, "state.json")).mode & 0o777).toBe(0o600)
        // Nothing else left behind (no temp file).
        expect(readdirSync(stateDir)).toEqual(["state.json"])
        // A quarantine keeps the file's own (private) mode: moved, never copied into a wider one.
        writeFileSync(path.join(stateDir, "state.json"), "{ not json", { mode: 0o600 })
        const again = yield* open(stateDir)
        expect(Exit.isSuccess(again.exit)).toBe(true)
        const moved = asides(stateDir)
        expect(moved).toHaveLength(1)
        expect(statSync(path.join(stateDir, moved[0]!)).mode & 0o777).toBe(0o600)
      } finally {
        process.umask(before)
      }
    }),
  )

  it.live(
    "fault 4 (e2e): garbage in <state>/state.json -> ccl daemon starts, quarantines it, serves /api/status and runs a task",
    () =>
      Effect.promise(async () => {
        const token = "state-file-token"
        const p = await daemonProject({ poolSize: 1, workMs: 100, token })
        try {
          const stateDir = path.join(p.dir, "state")
          mkdirSync(stateDir, { recursive: true, mode: 0o700 })
          const garbage = Buffer.concat([
            Buffer.from('{"active_account": "main", "attempts": {'),
            Buffer.alloc(64, 0xff),
          ])
          writeFileSync(path.join(stateDir, "state.json"), garbage, { mode: 0o600 })
          p.start()
          const status = await eventually(
            async () => {
              try {
                const r = await p.api("/api/status")
                return r.status === 200 ? ((await r.json()) as { queue: Record<string, number> }) : undefined
              } catch {
                return undefined
              }
            },
            60_000,
            () => `no /api/status answer; log:\n${p.log()}`,
          )
          expect(status.queue).toMatchObject({ pending: 0, active: 0 })
          const moved = asides(stateDir)
          expect(moved).toHaveLength(1)
          expect(readFileSync(path.join(stateDir, moved[0]!)).equals(garbage)).toBe(true)
          expect(p.log()).toContain("corrupt")

          const added = await p.ccl(["queue", "add", "--text", "Say hello", "--id", "after-garbage"])
          expect(added.code).toBe(0)
          await eventually(
            () => (p.ls("done").includes("after-garbage.md") ? true : undefined),
            60_000,
            () => `not done: pending ${p.ls("pending")} active ${p.ls("active")}; log:\n${p.log()}`,
          )
          expect(p.footer("done", "after-garbage")).toMatchObject({ status: "completed", attempt: 1 })
          // The fresh state.json is valid again (and keeps nothing of the filed task: fault 23).
          const fresh = () =>
            JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8")) as {
              attempts: Record<string, number>
              inflight: Record<string, unknown>
            }
          // (written just after the done/ file: wait for it)
          await eventually(
            () => (Object.keys(fresh().attempts).length === 0 ? true : undefined),
            10_000,
            () => JSON.stringify(fresh()),
          )
          expect(fresh()).toMatchObject({ attempts: {}, inflight: {} })
          expect(p.ls("failed")).toEqual([])
        } finally {
          await p.stop()
          p.server.kill()
        }
      }),
    120_000,
  )

  it.live(
    "fault 4 (start): a state folder that cannot be made -> one line naming it, exit 1, the queue's lock released (issue 11, point 5)",
    () =>
      Effect.promise(async () => {
        const dir = tempDir()
        writeFileSync(path.join(dir, "file"), "not a folder")
        writeFileSync(
          path.join(dir, "ccl.yaml"),
          `queue: ./queue\nstate: ./file/state\ntmux: { socket: ccl-state-${process.pid} }\napi: { port: ${await freePort()} }\n`,
        )
        for (let run = 0; run < 2; run++) {
          const r = await runCclAsync(["daemon"], { cwd: dir })
          expect(r.code).toBe(1)
          // The second start says the same: no "another daemon runs" (the lock went with the first).
          expect(r.stderr.trim().split("\n")).toEqual([
            // Its log (<state>/daemon.log) is the first thing the daemon opens there.
            expect.stringMatching(/^ccl: cannot open the daemon log .*file\/state\/daemon\.log: .*ENOTDIR/),
          ])
        }
      }),
  )
})
