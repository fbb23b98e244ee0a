// The seed's scenario end to end on real tmux: a pool session hits the usage limit of the first account, every
// session moves to the second one, the dedicated conversations resume there, the interrupted task finishes once.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { continuePrompt } from "../../src/domain/LaunchCommand.js"
import { resumeIdPath } from "../../src/programs/daemon/ResumeIdFile.js"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "failover-e2e"
const DEDICATED = ["ccl-1-conformvault", "ccl-2-scanyze"]

interface SessionView {
  readonly name: string
  readonly phase: string
  readonly account: string | null
  readonly conversation_id: string | null
}

describe("failover (real tmux, simulated agent, two accounts)", () => {
  it.live(
    "TestDedicatedRelaunchAfterSwap: limit hit -> resume ids saved -> every session relaunched under the second account, same conversations, the task done once",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 2,
            workMs: 300,
            token: TOKEN,
            accounts: ["main", "backup"],
            dedicated: DEDICATED,
          }),
        )
        const sessions = async () =>
          ((await (await p.api("/api/sessions")).json()) as ReadonlyArray<SessionView>).filter(Boolean)
        try {
          p.start()
          yield* Effect.promise(() =>
            eventually(
              async () => {
                const all = await sessions().catch(() => [])
                return all.length === 4 && all.every((s) => s.phase === "ready") ? true : undefined
              },
              60_000,
              p.log,
            ),
          )
          // The operator talks to both dedicated sessions: each now has a conversation with a transcript.
          for (const name of DEDICATED) {
            p.server.tmux("send-keys", "-t", `=${name}:`, "-l", `hello from ${name}`)
            p.server.tmux("send-keys", "-t", `=${name}:`, "Enter")
          }
          yield* Effect.promise(() =>
            eventually(
              () =>
                DEDICATED.every((name) => p.prompts().some((t) => t === `hello from ${name}`))
                  ? true
                  : undefined,
              30_000,
              () => `${JSON.stringify(p.prompts())} ${p.log()}`,
            ),
          )
          const before = new Map((yield* Effect.promise(sessions)).map((s) => [s.name, s]))
          for (const name of DEDICATED) expect(before.get(name)?.account).toBe("main")

          // A task whose turn hits the usage limit of `main`.
          const added = yield* Effect.promise(() =>
            p.ccl(["queue", "add", "--text", "Port the parser [limit]", "--id", "limited"]),
          )
          expect(added.code).toBe(0)
          yield* Effect.promise(() =>
            eventually(() => (p.ls("done").includes("limited.md") ? true : undefined), 90_000, p.log),
          )

          // The task finished once, on the second account, in the same session and attempt.
          const footer = p.footer("done", "limited")
          expect(footer).toMatchObject({ status: "completed", account: "backup", attempt: 1 })
          const prompts = p.prompts()
          expect(prompts.filter((t) => t.startsWith("[ccl task limited:"))).toHaveLength(1)
          expect(prompts.filter((t) => t === continuePrompt("limited"))).toHaveLength(1)

          // Both dedicated sessions: resume id persisted, relaunched with --resume under backup's home.
          const after = new Map((yield* Effect.promise(sessions)).map((s) => [s.name, s]))
          for (const name of DEDICATED) {
            const id = readFileSync(resumeIdPath(path.join(p.dir, "state"), name), "utf8").trim()
            expect(id).toMatch(/^[0-9a-f-]{36}$/)
            const screen = yield* Effect.promise(() =>
              eventually(
                () => {
                  const s = p.server.tmux("capture-pane", "-p", "-J", "-t", `=${name}:`)
                  return s.includes(`Resumed conversation ${id}`) ? s : undefined
                },
                30_000,
                () => p.server.tmux("capture-pane", "-p", "-J", "-t", `=${name}:`),
              ),
            )
            expect(screen).toContain(`under ${p.homes.backup}`)
            expect(after.get(name)).toMatchObject({ account: "backup", conversation_id: id })
            // The conversation the operator had is the one resumed.
            expect(p.prompts().filter((t) => t === `hello from ${name}`)).toHaveLength(1)
          }

          // Recorded: state, history, status.
          const state = JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8"))
          expect(state.active_account).toBe("backup")
          expect(state.swap).toBeNull()
          expect(Object.keys(state.cooldowns)).toEqual(["main"])
          const last = state.history.at(-1)
          expect(last).toMatchObject({ from: "main", to: "backup", outcome: "swapped", left_at_shell: [] })
          expect([...last.relaunched].sort()).toEqual([...DEDICATED, "ccl-pool-1", "ccl-pool-2"].sort())
          expect(p.log()).toContain("failover main -> backup")

          // The operator's side: status, a refused swap, a swap back through the CLI and the API.
          const status = yield* Effect.promise(() => p.ccl(["failover", "status", "--json"]))
          expect(JSON.parse(status.stdout)).toMatchObject({ daemon: true, active: "backup", swapping: false })
          const unknown = yield* Effect.promise(() => p.ccl(["failover", "swap", "--to", "nope"]))
          expect(unknown.code).toBe(1)
          expect(unknown.stderr).toContain('no account named "nope"')
          // main is cooling down after its limit: moving back there needs --force (issue 11, point 14).
          const cooling = yield* Effect.promise(() => p.ccl(["failover", "swap", "--to", "main"]))
          expect(cooling.code).toBe(1)
          expect(cooling.stderr).toMatch(/account main is cooling down until .*: add --force/)
          const back = yield* Effect.promise(() =>
            p.ccl(["failover", "swap", "--to", "main", "--force", "--json"]),
          )
          expect(back.code).toBe(0)
          expect(JSON.parse(back.stdout)).toMatchObject({
            ok: true,
            outcome: "swapped",
            from: "backup",
            to: "main",
          })
          for (const name of DEDICATED) {
            yield* Effect.promise(() =>
              eventually(
                () =>
                  p.server
                    .tmux("capture-pane", "-p", "-J", "-t", `=${name}:`)
                    .includes(`under ${p.homes.main}`)
                    ? true
                    : undefined,
                30_000,
                () => p.server.tmux("capture-pane", "-p", "-J", "-t", `=${name}:`),
              ),
            )
          }
          // With the daemon down, the state on disk answers.
          expect(yield* Effect.promise(() => p.stop())).toBe(0)
          const offline = yield* Effect.promise(() => p.ccl(["failover", "status"]))
          expect(offline.stdout).toContain("active account: main (daemon not running: from state.json)")
          expect(offline.stdout).toMatch(/swapped\s+main -> backup/)
          expect(offline.stdout).toMatch(/swapped\s+backup -> main \(operator request\)/)
        } finally {
          yield* Effect.promise(() => p.stop())
          p.server.kill()
        }
      }),
    180_000,
  )
})
