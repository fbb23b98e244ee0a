// The task model end to end (issue 13): depends_on with a failure and a cycle, an agent error retried then failed
// with its attempts, and a usage-limit wait that costs no attempt. Real tmux (private socket), the simulated
// agent with hooks, the daemon and the CLI as child processes.

import { readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { continuePrompt } from "../../src/domain/LaunchCommand.js"
import { daemonProject } from "../support/daemonProject.js"
import { addTaskFile, type Project, waitUntil } from "../support/projectTasks.js"

const TOKEN = "task-model-e2e"

/** Writes a task file and adds it with `ccl queue add FILE`. */
const add = addTaskFile

const waitFor = waitUntil

const sentTimes = (p: Project, id: string) =>
  p.prompts().filter((t) => t.startsWith(`[ccl task ${id}:`)).length

describe("task model (real tmux, simulated agent)", () => {
  it.live(
    "depends_on: a chain runs in order, a failed dependency and a cycle fail their tasks, an unknown id waits",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 2, workMs: 200, token: TOKEN }))
        yield* Effect.promise(async () => {
          await add(p, "after", "---\ndepends_on: [base]\n---\nBuild on the base\n")
          await add(p, "base", "Build the base\n")
          await add(p, "child", "---\ndepends_on: [bad]\n---\nNeeds the bad one\n")
          await add(p, "x", "---\ndepends_on: [y]\n---\nX\n")
          await add(p, "y", "---\ndepends_on: [x]\n---\nY\n")
          await add(p, "late", "---\ndepends_on: [not-yet]\n---\nWaits for a task not added yet\n")
        })
        // A file dropped into pending/ with a bad field: failed/ on first sight, and its dependent after it.
        writeFileSync(path.join(p.dir, "queue", "pending", "bad.md"), "---\npriority: high\n---\nBad\n")
        p.start()
        yield* waitFor(p, () => ["after.md", "base.md"].every((f) => p.ls("done").includes(f)))
        yield* waitFor(p, () =>
          ["bad.md", "child.md", "x.md", "y.md"].every((f) => p.ls("failed").includes(f)),
        )
        const base = p.footer("done", "base")
        const after = p.footer("done", "after")
        expect(Date.parse(after.started_at!)).toBeGreaterThanOrEqual(Date.parse(base.finished_at))
        expect(p.footer("failed", "bad")).toMatchObject({ cause: "bad_task" })
        expect(p.footer("failed", "child")).toMatchObject({
          status: "failed",
          cause: "dependency_failed",
          error: "dependency bad failed",
        })
        expect(p.footer("failed", "x")).toMatchObject({
          cause: "dependency_cycle",
          error: "dependency cycle x -> y -> x",
        })
        expect(p.footer("failed", "y")).toMatchObject({
          cause: "dependency_cycle",
          error: "dependency cycle y -> x -> y",
        })
        for (const id of ["child", "x", "y"]) expect(sentTimes(p, id)).toBe(0)
        // The unknown dependency: still pending, never sent; then it is added, and both run.
        expect(p.ls("pending")).toContain("late.md")
        expect(sentTimes(p, "late")).toBe(0)
        yield* Effect.promise(() => add(p, "not-yet", "Now it exists\n"))
        yield* waitFor(p, () => ["late.md", "not-yet.md"].every((f) => p.ls("done").includes(f)))
        expect(Date.parse(p.footer("done", "late").started_at!)).toBeGreaterThanOrEqual(
          Date.parse(p.footer("done", "not-yet").finished_at),
        )
        yield* Effect.promise(() => p.stop())
      }),
  )

  it.live(
    "an API error is a failed attempt: retried after its backoff, then failed/ with each attempt's cause",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 200, token: TOKEN }))
        yield* Effect.promise(() =>
          add(p, "flaky", "---\nmax_attempts: 2\nretry_backoff: 1s\n---\nCall the API [api-error]\n"),
        )
        p.start()
        yield* waitFor(p, () => p.ls("failed").includes("flaky.md"))
        const footer = p.footer("failed", "flaky")
        expect(footer).toMatchObject({
          status: "failed",
          cause: "agent_error",
          attempt: 2,
          session: "ccl-pool-1",
        })
        expect(footer.error).toMatch(/^agent_error: server_error: API Error: 500 .*\(attempt 2 of 2\)$/)
        expect(footer.attempts).toMatch(/^1 agent_error \(ccl-pool-1, [^)]*\), 2 agent_error \(ccl-pool-1, /)
        expect(sentTimes(p, "flaky")).toBe(2)
        // Filed (state.json is written just after the move): it keeps nothing of it.
        const state = () => JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8"))
        yield* waitFor(p, () => state().attempt_log.flaky === undefined, 10_000)
        expect(state().retry_at.flaky).toBeUndefined()
        // The operator retries it: back in pending/ with its failed run kept as history, counted from 1 again.
        const retried = yield* Effect.promise(() => p.ccl(["queue", "retry", "flaky"]))
        expect(retried.code, retried.stderr).toBe(0)
        yield* waitFor(p, () => sentTimes(p, "flaky") === 4 && p.ls("failed").includes("flaky.md"))
        const again = p.footer("failed", "flaky")
        expect(again).toMatchObject({ cause: "agent_error", attempt: 2 })
        expect(again.attempts).toMatch(/^1 agent_error .*, 2 agent_error /)
        const text = readFileSync(path.join(p.dir, "queue", "failed", "flaky.md"), "utf8")
        expect(text.split("<!-- ccl:previous-result -->")).toHaveLength(2)
        // The history never reached the agent: each prompt is the task's own text.
        for (const prompt of p.prompts().filter((t) => t.startsWith("[ccl task flaky:")))
          expect(prompt).not.toContain("previous-result")
        yield* Effect.promise(() => p.stop())
      }),
  )

  it.live(
    "a usage limit is never an attempt: with every account spent the tasks wait in pending/, then run once",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() => daemonProject({ poolSize: 1, workMs: 200, token: TOKEN }))
        yield* Effect.promise(() => add(p, "limited", "---\nmax_attempts: 1\n---\nPort the parser [limit]\n"))
        p.start()
        const statePath = path.join(p.dir, "state", "state.json")
        const state = () => {
          try {
            return JSON.parse(readFileSync(statePath, "utf8"))
          } catch {
            return undefined
          }
        }
        // The only account is spent: dispatching waits for its reset.
        yield* waitFor(p, () => state()?.cooldowns?.main !== undefined)
        yield* Effect.promise(() => add(p, "waiter", "Runs after the reset\n"))
        const listed = yield* Effect.promise(() => p.ccl(["queue", "list", "--json"]))
        const rows = JSON.parse(listed.stdout) as ReadonlyArray<{
          id: string
          state: string
          waiting?: string
        }>
        expect(rows.find((r) => r.id === "waiter")).toMatchObject({ state: "pending" })
        expect(rows.find((r) => r.id === "waiter")?.waiting).toMatch(/^waiting for reset at \d{4}-\d\d-\d\dT/)
        expect(p.ls("failed")).toEqual([])
        // The reset, as the operator brings it forward: the same account again, the limited session resumed.
        const cleared = yield* Effect.promise(() => p.ccl(["failover", "clear"]))
        expect(cleared.code, cleared.stderr + cleared.stdout).toBe(0)
        expect(cleared.stdout).toContain("dispatching resumed")
        yield* waitFor(p, () => ["limited.md", "waiter.md"].every((f) => p.ls("done").includes(f)))
        // max_attempts: 1, and still done: the limit cost no attempt.
        const footer = p.footer("done", "limited")
        expect(footer).toMatchObject({ status: "completed", attempt: 1 })
        expect(footer.attempts).toBeUndefined()
        expect(sentTimes(p, "limited")).toBe(1)
        expect(p.prompts().filter((t) => t === continuePrompt("limited"))).toHaveLength(1)
        expect(p.footer("done", "waiter")).toMatchObject({ attempt: 1 })
        yield* Effect.promise(() => p.stop())
      }),
  )
})
