// The crash-point matrix (issue 11; RELIABILITY.md "Crash points"): a real daemon with a real simulated pool is
// killed with SIGKILL at each named step of a dispatch and of a failover (CCL_FAILPOINT), started again, and then
// every task is in exactly one folder, each prompt reached the agent exactly once, every dedicated conversation
// was resumed with its own id, and the daemon is up.

import { readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { continuePrompt } from "../../src/domain/LaunchCommand.js"
import { resumeIdPath } from "../../src/programs/daemon/ResumeIdFile.js"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "crash-points"
const TASKS = ["crash-a", "crash-b"]
const DEDICATED = "ccl-1-desk"

type Project = Awaited<ReturnType<typeof daemonProject>>

/** Starts the daemon armed at `point` and waits for it to die there (SIGKILL). */
const crashAt = (p: Project, point: string, act: () => Promise<void>) =>
  Effect.promise(async () => {
    const child = p.start({ CCL_FAILPOINT: point })
    const died = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once("exit", (_code, signal) => resolve(signal)),
    )
    await act()
    const signal = await Promise.race([
      died,
      new Promise<"alive">((r) => setTimeout(() => r("alive"), 60_000)),
    ])
    expect(signal, `the daemon did not die at ${point}:\n${p.log()}`).toBe("SIGKILL")
  })

/**
 * At rest (the daemon stopped: a move in progress is finished first): each task in exactly one folder (done/),
 * nothing left in tmp/. The daemon answered its API before it was stopped, and stopped cleanly.
 */
const expectWhole = (p: Project, ids: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    expect((await p.api("/api/status")).status).toBe(200)
    expect(await p.stop()).toBe(0)
    for (const id of ids) {
      const where = ["pending", "active", "done", "failed"].filter((s) => p.ls(s).includes(`${id}.md`))
      const copies = where.map(
        (f) => `--- ${f}/${id}.md\n${readFileSync(path.join(p.dir, "queue", f, `${id}.md`), "utf8")}`,
      )
      expect(where, `${id}:\n${copies.join("\n")}\n${p.log()}`).toEqual(["done"])
    }
    expect(readdirSync(path.join(p.dir, "queue", "tmp"))).toEqual([])
  })

/** How many prompts the agents received that start with `prefix`, across every transcript. */
const delivered = (p: Project, prefix: string) => p.prompts().filter((t) => t.startsWith(prefix)).length

const untilDone = (p: Project, ids: ReadonlyArray<string>) =>
  Effect.promise(() =>
    eventually(
      () => (ids.every((id) => p.ls("done").includes(`${id}.md`)) ? true : undefined),
      90_000,
      () => `${p.ls("pending")} ${p.ls("active")} ${p.ls("done")} ${p.ls("failed")}\n${p.log()}`,
    ),
  )

// Pool of one, fresh context: the pastes are the launch line (1), the first task (2: a new agent needs no /clear),
// the /clear after its filing (3), the second task (4). With each point,
// what the restarted daemon must say it repaired (the path the test is about), if anything.
const DISPATCH_POINTS: ReadonlyArray<readonly [string, string | undefined]> = [
  ["dispatch:claimed", "was in active/ with no session holding it"],
  ["dispatch:holder-committed", "never reached the agent: back to pending/"],
  ["tmux:pasted@2", "was pasted, not submitted: Enter"],
  ["dispatch:prompt-sent", "adopted session ccl-pool-1 (task crash-a)"],
  ["queue:done-linked", "recovered interrupted moves"],
  ["queue:done-unlinked", undefined],
  ["completion:filed", undefined],
]

describe("crash points: a dispatch killed at each step", () => {
  for (const [point, says] of DISPATCH_POINTS)
    it.live(
      `SIGKILL at ${point}, restart: both tasks done once, each prompt delivered once`,
      () =>
        Effect.gen(function* () {
          const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 200, token: TOKEN }))
          yield* crashAt(p, point, async () => {
            for (const id of TASKS)
              expect((await p.ccl(["queue", "add", "--id", id, "--text", `Do ${id}`])).code).toBe(0)
          })
          const before = p.log().length
          p.start()
          yield* untilDone(p, TASKS)
          if (says !== undefined) expect(p.log().slice(before)).toContain(says)
          yield* expectWhole(p, TASKS)
          for (const id of TASKS) expect(delivered(p, `[ccl task ${id}:`), `${id}\n${p.log()}`).toBe(1)
        }),
      180_000,
    )
})

// Two accounts, a pool session whose task hits main's limit, and a dedicated session the operator talked to.
const SWAP_POINTS = [
  "swap:target-chosen",
  "swap:resume-ids-saved",
  "swap:journal-written",
  "session:killed",
  "swap:relaunched",
  "swap:journal-cleared",
]

describe("crash points: a failover killed at each step", () => {
  for (const point of SWAP_POINTS)
    it.live(
      `SIGKILL at ${point}, restart: the swap finished, the task done once on backup, the conversations resumed`,
      () =>
        Effect.gen(function* () {
          const p = yield* Effect.promise(() =>
            daemonProject({
              poolSize: 1,
              workMs: 200,
              token: TOKEN,
              accounts: ["main", "backup"],
              dedicated: [DEDICATED],
            }),
          )
          const stateDir = path.join(p.dir, "state")
          let talked = ""
          yield* crashAt(p, point, async () => {
            await eventually(
              async () => {
                const all = (await p
                  .api("/api/sessions")
                  .then((r) => r.json())
                  .catch(() => [])) as Array<{ phase: string }>
                return all.length === 2 && all.every((s) => s.phase === "ready") ? true : undefined
              },
              60_000,
              p.log,
            )
            p.server.tmux("send-keys", "-t", `=${DEDICATED}:`, "-l", "hello desk")
            p.server.tmux("send-keys", "-t", `=${DEDICATED}:`, "Enter")
            await eventually(() => (p.prompts().includes("hello desk") ? true : undefined), 30_000, p.log)
            talked = readFileSync(resumeIdPath(stateDir, DEDICATED), "utf8").trim()
            expect((await p.ccl(["queue", "add", "--id", "limited", "--text", "Port it [limit]"])).code).toBe(
              0,
            )
          })
          p.start()
          yield* untilDone(p, ["limited"])
          yield* expectWhole(p, ["limited"])
          expect(p.footer("done", "limited")).toMatchObject({ status: "completed", account: "backup" })
          expect(delivered(p, "[ccl task limited:")).toBe(1)
          expect(
            p.prompts().filter((t) => t === continuePrompt("limited")),
            p.log(),
          ).toHaveLength(1)
          // The operator's conversation: the same id, resumed under backup, its prompt there once.
          expect(readFileSync(resumeIdPath(stateDir, DEDICATED), "utf8").trim()).toBe(talked)
          yield* Effect.promise(() =>
            eventually(
              () =>
                p.server
                  .tmux("capture-pane", "-p", "-J", "-t", `=${DEDICATED}:`)
                  .includes(`Resumed conversation ${talked}`)
                  ? true
                  : undefined,
              30_000,
              () => p.server.tmux("capture-pane", "-p", "-J", "-t", `=${DEDICATED}:`),
            ),
          )
          expect(p.prompts().filter((t) => t === "hello desk")).toHaveLength(1)
          const state = JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8"))
          expect(state).toMatchObject({ active_account: "backup", swap: null })
        }),
      180_000,
    )
})
