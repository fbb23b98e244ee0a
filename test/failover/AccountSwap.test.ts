// The failover's decisions over in-memory tmux, queue and homes: what is typed where, what is refused, and the
// pause when every account is cooling down (TestClock).

import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { DEFAULT_COOLDOWN_MS } from "../../src/domain/AccountChoice.js"
import { makeMemoryFs, SymlinkFsMemory } from "../../src/layers/SymlinkFsMemory.js"
import { makeTaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { makeTmuxPoolMemory } from "../../src/layers/TmuxPoolMemory.js"
import { failoverHandler } from "../../src/programs/daemon/DaemonApiHandlers.js"
import { readResumeId, resumeIdPath, writeResumeId } from "../../src/programs/daemon/ResumeIdFile.js"
import { ensureForAccount, RequiredShared } from "../../src/services/SymlinkFs.js"
import { daemonRig } from "../support/daemonRig.js"
import { tempDir } from "../support/tempDir.js"

const GOOD = "0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b"
const DEDICATED = ["ccl-1-conformvault", "ccl-2-scanyze"]

/** A daemon's dispatcher and failover over memory layers; the dedicated sessions already exist (adopted). */
const rig = (options: { brokenBackup?: boolean; accounts?: ReadonlyArray<string> } = {}) =>
  Effect.gen(function* () {
    const root = tempDir()
    const accounts = (options.accounts ?? ["main", "backup"]).map((name) => ({
      name,
      home: `/homes/${name}`,
    }))
    const settings = {
      agent: { command: "claude", args: ["--dangerously-skip-permissions"] },
      accounts,
      dedicated: DEDICATED.map((name) => ({ name, cwd: `/src/${name}` })),
      shared: { root: "/shared", required: [...RequiredShared] },
    }
    const fs = makeMemoryFs()
    const links = SymlinkFsMemory(fs)
    for (const a of accounts)
      yield* ensureForAccount(a.home, "/shared", RequiredShared).pipe(Effect.provide(links))
    if (options.brokenBackup === true) {
      // A real folder where backup's projects link belongs: someone's data, never touched.
      fs.entries.delete("/homes/backup/projects")
      fs.entries.set("/homes/backup/projects", { kind: "dir" })
      fs.entries.set("/homes/backup/projects/notes.md", { kind: "file", data: "mine" })
    }
    const tmux = yield* makeTmuxPoolMemory
    for (const name of DEDICATED) yield* tmux.pool.create({ name, cwd: `/src/${name}`, env: {} })
    // Conversations with a transcript (only those can be resumed); the homes are in memory.
    const transcripts = new Set([GOOD])
    const d = yield* daemonRig({
      root,
      settings,
      tmux: tmux.pool,
      queue: yield* makeTaskQueueMemory(),
      links,
      resumable: (_home, _cwd, id) => transcripts.has(id),
    })
    yield* d.supervisor.startSessions
    return {
      root,
      stateDir: path.join(root, "state"),
      fs,
      tmux: tmux.script,
      d,
      swap: d.failover,
      state: d.state,
      transcripts,
    }
  })

describe("AccountSwap", () => {
  it.scoped(
    "a corrupted resume-id.txt leaves that session at its shell, nothing typed; the others resume",
    () =>
      Effect.gen(function* () {
        const r = yield* rig()
        // Adopted sessions: no hook, no live status file; only the saved files say which conversation they had.
        writeResumeId(r.stateDir, "ccl-1-conformvault", GOOD)
        mkdirSync(path.dirname(resumeIdPath(r.stateDir, "ccl-2-scanyze")), { recursive: true })
        for (const content of ["x; rm -rf ~", "garbage\u0000", `${GOOD}; rm -rf ~`]) {
          writeFileSync(resumeIdPath(r.stateDir, "ccl-2-scanyze"), content)
          const out = yield* r.swap.swap({
            reason: "test",
            to: r.d.supervisor.account()?.name === "main" ? "backup" : "main",
          })
          expect(out.outcome).toBe("swapped")
          expect(out.leftAtShell).toEqual(["ccl-2-scanyze"])
          expect(out.relaunched).toContain("ccl-1-conformvault")
          expect(r.tmux.sent("ccl-2-scanyze")).toEqual([])
          const home = `/homes/${out.to}`
          expect(r.tmux.sent("ccl-1-conformvault")).toEqual([
            `CLAUDE_CONFIG_DIR=${home} claude --dangerously-skip-permissions --resume ${GOOD}`,
          ])
          expect(r.d.table.get("ccl-2-scanyze")?.phase).toBe("shell")
          // The bad file was moved aside, not left to be read again.
          expect(readResumeId(r.stateDir, "ccl-2-scanyze").kind).toBe("missing")
        }
      }),
  )

  it.scoped(
    "a dedicated session never prompted (no transcript) starts fresh with a new --session-id, never --resume (bug 2)",
    () =>
      Effect.gen(function* () {
        const r = yield* rig()
        const NEVER = "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
        writeResumeId(r.stateDir, "ccl-1-conformvault", GOOD) // talked to: its transcript exists
        writeResumeId(r.stateDir, "ccl-2-scanyze", NEVER) // launched, never prompted: no transcript
        const out = yield* r.swap.swap({ reason: "limit", exhausted: "main" })
        expect(out).toMatchObject({ outcome: "swapped", to: "backup", leftAtShell: [] })
        expect(r.tmux.sent("ccl-1-conformvault")).toEqual([
          `CLAUDE_CONFIG_DIR=/homes/backup claude --dangerously-skip-permissions --resume ${GOOD}`,
        ])
        const [line] = r.tmux.sent("ccl-2-scanyze")
        expect(line).toMatch(
          /^CLAUDE_CONFIG_DIR=\/homes\/backup claude --dangerously-skip-permissions --session-id [0-9a-f-]{36}$/,
        )
        expect(line).not.toContain(NEVER)
        const fresh = line!.split(" ").at(-1)
        // The history says which it was, per session; the new id is the one kept for the next swap.
        const sessions = r.state.get().history.at(-1)?.sessions
        expect(sessions).toEqual(
          expect.arrayContaining([
            { name: "ccl-1-conformvault", how: "resumed", id: GOOD, verified: null },
            {
              name: "ccl-2-scanyze",
              how: "fresh",
              id: fresh,
              why: `conversation ${NEVER} has no transcript (never prompted)`,
              verified: null,
            },
          ]),
        )
        expect(readResumeId(r.stateDir, "ccl-2-scanyze")).toEqual({ kind: "valid", id: fresh })
      }),
  )

  it.scoped("a broken target home refuses the swap and touches no session", () =>
    Effect.gen(function* () {
      const r = yield* rig({ brokenBackup: true })
      const sentBefore = DEDICATED.map((n) => r.tmux.sent(n).length)
      const sessionsBefore = r.tmux.sessions()
      const out = yield* Effect.either(r.swap.swap({ reason: "limit", exhausted: "main" }))
      expect(out._tag).toBe("Left")
      expect(out._tag === "Left" && out.left.reason).toContain("/homes/backup/projects")
      expect(r.tmux.sessions()).toEqual(sessionsBefore)
      expect(DEDICATED.map((n) => r.tmux.sent(n).length)).toEqual(sentBefore)
      expect(r.fs.entries.get("/homes/backup/projects/notes.md")).toEqual({ kind: "file", data: "mine" })
      expect(r.state.get().active_account).toBeNull()
      expect(r.state.get().history.at(-1)).toMatchObject({ outcome: "refused", from: "main" })
      // main is spent and there is nowhere to go: dispatching waits for main's reset (default 5 h; TestClock at 0).
      expect(r.d.pausedUntil()).toBe(DEFAULT_COOLDOWN_MS)
    }),
  )

  it.scoped(
    "every account exhausted: dispatching pauses until the earliest reset, then swaps by itself",
    () =>
      Effect.gen(function* () {
        const r = yield* rig()
        const t0 = Date.now()
        yield* TestClock.setTime(t0)
        const first = yield* r.swap.swap({ reason: "limit", exhausted: "main", resetAt: t0 + 3 * 3_600_000 })
        expect(first).toMatchObject({ outcome: "swapped", from: "main", to: "backup" })
        const second = yield* r.swap.swap({ reason: "limit", exhausted: "backup", resetAt: t0 + 3_600_000 })
        expect(second).toMatchObject({ outcome: "waiting", to: "backup", until: t0 + 3_600_000 })
        // An operator's swap now moves nothing: not ok, and it says until when (exit 1 in the CLI).
        const asked = yield* failoverHandler(r.swap).swap(undefined, false)
        expect(asked.body).toMatchObject({ ok: false, outcome: "waiting" })
        expect(asked.body.message).toContain("every account is cooling down")
        expect(r.d.pausedUntil()).toBe(t0 + 3_600_000)
        expect(r.state.get().active_account).toBe("backup")
        // A late report of the account already left behind changes nothing.
        expect((yield* r.swap.swap({ reason: "late", exhausted: "main" })).outcome).toBe("ignored")

        yield* TestClock.adjust("59 minutes")
        expect(r.state.get().history.at(-1)?.outcome).toBe("waiting")
        yield* TestClock.adjust("2 minutes")
        yield* Effect.yieldNow()
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
        const last = r.state.get().history.at(-1)
        expect(last).toMatchObject({ outcome: "swapped", to: "backup", reason: "backup's usage limit reset" })
        // Two reports while everything was spent (the limit, the operator's request): still one swap at the reset.
        yield* TestClock.adjust("1 hour")
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
        const atReset = r.state.get().history.filter((h) => h.reason === "backup's usage limit reset")
        expect(atReset).toHaveLength(1)
        expect(r.d.pausedUntil()).toBe(0)
      }),
  )

  it.live("a defect in one failover trigger does not end the trigger loop (issue 11, point 5)", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const r = yield* rig()
        yield* Effect.forkScoped(r.swap.runTriggers)
        // state.json cannot be written (its folder is a file now): the swap fails.
        const stateDir = r.stateDir
        renameSync(stateDir, `${stateDir}.aside`)
        writeFileSync(stateDir, "not a folder")
        yield* r.swap.report({
          session: "ccl-pool-1",
          account: "main",
          resetAt: undefined,
          via: "hook",
        })
        yield* Effect.sleep("200 millis")
        rmSync(stateDir)
        renameSync(`${stateDir}.aside`, stateDir)
        // The next hit is still taken.
        yield* r.swap.report({
          session: "ccl-pool-1",
          account: "main",
          resetAt: undefined,
          via: "hook",
        })
        for (let i = 0; i < 100 && r.state.get().active_account !== "backup"; i++)
          yield* Effect.sleep("20 millis")
        expect(r.state.get().active_account).toBe("backup")
      }),
    ),
  )

  it.scoped("a crash mid-swap: the journal is finished by the next start, resume ids kept", () =>
    Effect.gen(function* () {
      const r = yield* rig()
      writeResumeId(r.stateDir, "ccl-1-conformvault", GOOD)
      yield* r.state.update((s) => ({
        ...s,
        swap: {
          from: "main",
          to: "backup",
          reason: "limit",
          reset_at: null,
          started_at: new Date().toISOString(),
          sessions: DEDICATED.map((name) => ({ name, kind: "dedicated" as const, cwd: `/src/${name}` })),
        },
      }))
      yield* r.swap.completeInterrupted
      expect(r.state.get().history.at(-1)).toMatchObject({
        outcome: "swapped",
        to: "backup",
        relaunched: ["ccl-1-conformvault"],
      })
      expect(r.state.get()).toMatchObject({ swap: null, active_account: "backup" })
      expect(r.tmux.sent("ccl-1-conformvault")).toEqual([
        `CLAUDE_CONFIG_DIR=/homes/backup claude --dangerously-skip-permissions --resume ${GOOD}`,
      ])
      expect(readResumeId(r.stateDir, "ccl-1-conformvault")).toEqual({ kind: "valid", id: GOOD })
      // Nothing left to finish the second time.
      yield* r.swap.completeInterrupted
      expect(r.state.get().history).toHaveLength(1)
    }),
  )

  it.scoped(
    "a session a swap resumed that never comes up (its agent exits at once): the history says not verified and why (issue 11, point 15)",
    () =>
      Effect.gen(function* () {
        const r = yield* rig()
        writeResumeId(r.stateDir, "ccl-1-conformvault", GOOD)
        const out = yield* r.swap.swap({ reason: "limit", exhausted: "main" })
        expect(out.relaunched).toContain("ccl-1-conformvault")
        // The resume fails: the pane is back at its shell, and stays there past the grace.
        r.tmux.setScreen("ccl-1-conformvault", "No conversation found with session ID: x\n$ ")
        yield* TestClock.adjust("11 seconds")
        yield* r.d.screens.look
        const entry = r.state
          .get()
          .history.at(-1)
          ?.sessions?.find((o) => o.name === "ccl-1-conformvault")
        expect(entry).toMatchObject({ how: "resumed", verified: false })
        expect(entry?.why).toContain("the agent exited before its prompt")
      }),
  )
})
