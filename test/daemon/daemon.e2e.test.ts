// The daemon end to end: real tmux (private socket), the simulated agent with hooks installed, the mock
// secutools server over HTTP, the built CLI as child processes.

import { execFileSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { taskPrompt } from "../../src/domain/LaunchCommand.js"
import { sanitizePaste } from "../../src/domain/PasteText.js"
import { startMockSecutools } from "../../src/programs/MockSecutools.js"
import { daemonProject, requestWithHost } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const KEY = "sk-daemon-e2e"
const TOKEN = "api-token-e2e"

describe("ccl daemon (real tmux, simulated agent, mock secutools)", () => {
  it.live(
    "3 pool sessions, 12 tasks (3 delegated): every task done with the right footer, each local one dispatched once",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const secutools = yield* startMockSecutools({ key: KEY, jobMs: 300 })
          const p = yield* Effect.promise(() =>
            daemonProject({
              poolSize: 3,
              workMs: 200,
              secutools: secutools.url,
              secutoolsKey: KEY,
              token: TOKEN,
            }),
          )
          try {
            const ids = Array.from({ length: 12 }, (_, i) => `task-${String(i + 1).padStart(2, "0")}`)
            for (const [i, id] of ids.entries()) {
              const ai = i % 4 === 3 ? ["--preferred-ai", i % 8 === 3 ? "gemini" : "gpu"] : []
              const added = yield* Effect.promise(() =>
                p.ccl(["queue", "add", "--text", `Do job ${id}; then Enter`, "--id", id, ...ai]),
              )
              expect(added.code).toBe(0)
            }
            // All twelve wait in pending/ before the daemon starts, so the three sessions share them.
            p.start()
            yield* Effect.promise(() =>
              eventually(
                () => (p.ls("done").length === 12 ? true : undefined),
                90_000,
                () => `${p.ls("done")} ${p.log()}`,
              ),
            )
            const delegated = ids.filter((_, i) => i % 4 === 3)
            for (const id of ids) {
              const f = p.footer("done", id)
              if (delegated.includes(id)) {
                expect(f).toMatchObject({ status: "completed", route: "delegated" })
                expect(["gemini", "gpu"]).toContain(f.provider)
              } else {
                expect(f).toMatchObject({
                  status: "completed",
                  route: "local",
                  provider: "claude-code",
                  account: "main",
                  attempt: 1,
                })
                expect(f.session).toMatch(/^ccl-pool-[123]$/)
                expect(f.resume_id).toMatch(/^[0-9a-f-]{36}$/)
              }
            }
            // Each local task reached an agent exactly once, text intact; delegated ones never did.
            const seen = p.prompts()
            for (const id of ids) {
              const hits = seen.filter((text) => text.includes(`[ccl task ${id}:`))
              expect(hits).toHaveLength(delegated.includes(id) ? 0 : 1)
              if (!delegated.includes(id)) expect(hits[0]).toContain(`Do job ${id}; then Enter`)
            }
            expect(
              new Set(ids.filter((id) => !delegated.includes(id)).map((id) => p.footer("done", id).session))
                .size,
            ).toBeGreaterThan(1)
            expect((yield* secutools.stats).jobs).toBe(3)

            // HTTP API: schemas, token, Host check.
            const status = (yield* Effect.promise(() =>
              p.api("/api/status").then((r) => r.json()),
            )) as Record<string, unknown>
            expect(Object.keys(status).sort()).toEqual([
              "account",
              "delegation",
              "dispatch",
              "failover",
              "pid",
              "queue",
              "sessions",
              "started_at",
            ])
            expect(status.queue).toMatchObject({ done: 12, pending: 0, active: 0 })
            expect((status.sessions as Array<unknown>).length).toBe(3)
            // Each session's state is the combined reading, strongest signal first: the Stop hooks said idle.
            for (const session of status.sessions as Array<{ state: string; decided_by: string }>)
              expect(session).toMatchObject({ state: "idle", decided_by: "hook" })
            expect((yield* Effect.promise(() => p.api("/api/status", {}))).status).toBe(401)
            expect(
              (yield* Effect.promise(() => p.api("/api/status", { authorization: "Bearer nope" }))).status,
            ).toBe(401)
            // fetch will not send a foreign Host header: use node:http, as a DNS-rebinding page's request would look.
            const foreign = yield* Effect.promise(() => requestWithHost(p.port, "evil.example:80", TOKEN))
            expect(foreign).toBe(403)
            const delegatedStatus = (yield* Effect.promise(() =>
              p.api("/api/delegated/status").then((r) => r.json()),
            )) as {
              counters: Record<string, number>
            }
            expect(delegatedStatus.counters).toMatchObject({ submitted: 3, completed: 3 })
            const watchdog = (yield* Effect.promise(() =>
              p.api("/watchdog/status").then((r) => r.json()),
            )) as Record<string, unknown>
            expect(watchdog).toMatchObject({ stale_tasks: [], dead_sessions: [] })
            const done = (yield* Effect.promise(() =>
              p.api("/api/tasks?state=done").then((r) => r.json()),
            )) as Array<unknown>
            expect(done).toHaveLength(12)

            // A second daemon on the same queue refuses to run.
            const second = yield* Effect.promise(() => p.ccl(["daemon"]))
            expect(second.code).toBe(1)
            expect(second.stderr).toContain("another ccl daemon")

            // SIGTERM: clean exit 0, lock released.
            expect(yield* Effect.promise(() => p.stop())).toBe(0)
            expect(existsSync(path.join(p.dir, "queue", ".daemon.lock"))).toBe(false)
          } finally {
            yield* Effect.promise(() => p.stop())
            p.server.kill()
          }
        }),
      ),
    150_000,
  )

  it.live(
    "hostile task bodies reach the agent exactly as text, one submit each (compared with its transcript)",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 2, workMs: 100, token: TOKEN }))
        const bodies: Record<string, string> = {
          semicolon: "run this; kill-server ;",
          keys: "press Enter then C-c and Escape",
          ctrlc: "stop\x03 here\x03",
          bracket: "paste end \x1b[201~ then more\x1b[200~",
          shell: "echo `whoami` $(rm -rf ~) 'q' \"dq\" \\n",
          lines: Array.from({ length: 60 }, (_, i) => `line ${i}`).join("\n"),
          big: Array.from({ length: 2_000 }, (_, i) => `row ${i}: ${"y".repeat(45)}`).join("\n"),
        }
        try {
          for (const [id, body] of Object.entries(bodies)) {
            writeFileSync(path.join(p.dir, `${id}.md`), `${body}\n`)
            expect((yield* Effect.promise(() => p.ccl(["queue", "add", `${id}.md`]))).code).toBe(0)
          }
          p.start()
          yield* Effect.promise(() =>
            eventually(
              () => (p.ls("done").length === Object.keys(bodies).length ? true : undefined),
              90_000,
              () => `${p.ls("done")} ${p.log()}`,
            ),
          )
          const seen = p.prompts()
          for (const [id, body] of Object.entries(bodies)) {
            const hits = seen.filter((text) => text.startsWith(`[ccl task ${id}:`))
            expect(hits).toHaveLength(1)
            const expected = sanitizePaste(
              taskPrompt(id, path.join(p.dir, "queue", "active", `${id}.md`), `${body}\n`),
            )
            expect(hits[0]).toBe(expected)
          }
          expect(p.log()).not.toContain("could not send")
        } finally {
          yield* Effect.promise(() => p.stop())
          p.server.kill()
        }
      }),
    120_000,
  )

  it.live(
    "a pool session killed mid-task: the task goes back to pending (attempt 1), then finishes on attempt 2",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 4_000, token: TOKEN }))
        try {
          p.start()
          yield* Effect.promise(() =>
            eventually(
              async () => ((await p.api("/api/status").catch(() => undefined))?.ok ? true : undefined),
              20_000,
              p.log,
            ),
          )
          yield* Effect.promise(() => p.ccl(["queue", "add", "--text", "long job", "--id", "victim"]))
          // Killed once the agent has the prompt (its transcript says so): the death of a session mid-task, an
          // attempt. A kill while ccl is still typing is a delivery that failed, not an attempt (not this test).
          yield* Effect.promise(() =>
            eventually(
              () => (p.prompts().some((t) => t.startsWith("[ccl task victim:")) ? true : undefined),
              30_000,
              p.log,
            ),
          )
          execFileSync("tmux", ["-L", p.server.socket, "kill-session", "-t", "=ccl-pool-1"])
          yield* Effect.promise(() =>
            eventually(() => (p.ls("done").includes("victim.md") ? true : undefined), 60_000, p.log),
          )
          expect(p.footer("done", "victim")).toMatchObject({
            status: "completed",
            attempt: 2,
            session: "ccl-pool-1",
          })
          expect(p.footer("done", "victim").attempts).toMatch(/^1 session_dead \(ccl-pool-1, /)
          expect(p.log()).toMatch(
            /task victim given back from ccl-pool-1: session_dead: .* \(attempt 1 of 3\)/,
          )
        } finally {
          yield* Effect.promise(() => p.stop())
          p.server.kill()
        }
      }),
    120_000,
  )
})
