// The operator's commands against a real daemon: real tmux (private socket), the simulated agent with hooks, the
// built CLI (issue 13): cancel of an active and of a pending task, the cancel API's answers, failover pause /
// resume across a restart, failover clear of cooldowns that held dispatching.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { emptyDaemonState } from "../../src/domain/DaemonState.js"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import type { DaemonStatus } from "../../src/programs/daemon/DaemonApiSchemas.js"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "api-token-operator"

type Project = Awaited<ReturnType<typeof daemonProject>>

const status = async (p: Project) => (await (await p.api("/api/status")).json()) as DaemonStatus

const post = (p: Project, url: string, body: string) =>
  fetch(`http://127.0.0.1:${p.port}${url}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body,
  })

const add = async (p: Project, id: string, text = `Do ${id}`) =>
  expect((await p.ccl(["queue", "add", "--text", text, "--id", id])).code).toBe(0)

const inFolder = (p: Project, folder: string, id: string) =>
  eventually(
    () => (p.ls(folder).includes(`${id}.md`) ? true : undefined),
    60_000,
    () => `${p.ls(folder)} ${p.log()}`,
  )

describe("ccl queue cancel through the daemon (real tmux, simulated agent)", () => {
  it("an active task: interrupted (Esc), filed cancelled with its run, the session cleared and given the next task", async () => {
    // Long turns: the cancel comes while the agent works on the task.
    const p = await daemonProject({ poolSize: 1, workMs: 15_000, token: TOKEN })
    p.start()
    await p.answering()
    await add(p, "long")
    await eventually(
      () => (p.prompts().some((t) => t.includes("[ccl task long:")) ? true : undefined),
      30_000,
      p.log,
    )
    const r = await p.ccl(["queue", "cancel", "long", "--reason", "wrong repo"])
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(r.stdout).toContain("cancelled long (was active in ccl-pool-1")
    expect(p.ls("active")).toEqual([])
    const filed = parseFooter(readFileSync(path.join(p.dir, "queue", "failed", "long.md"), "utf8"))!
    expect(filed.original).toBe("Do long\n")
    expect(filed.footer).toMatchObject({
      status: "cancelled",
      cause: "cancelled",
      error: "cancelled: wrong repo",
      route: "local",
      provider: "claude-code",
      session: "ccl-pool-1",
      account: "main",
      attempt: 1,
    })
    expect(Date.parse(filed.footer.started_at!)).toBeLessThanOrEqual(Date.parse(filed.footer.finished_at))
    // The agent's turn was interrupted, not run to its end.
    const longTranscript = p.transcripts().find((t) => JSON.stringify(t.entries).includes("[ccl task long:"))!
    expect(JSON.stringify(longTranscript.entries)).toContain("Interrupted by user")
    // The session takes the next task, in a cleared conversation, and files it from its own turn: the
    // interrupted turn's Stop (the simulated agent sends one) did not file it.
    await add(p, "next")
    await inFolder(p, "done", "next")
    const next = p.footer("done", "next")
    expect(next).toMatchObject({ status: "completed", session: "ccl-pool-1", attempt: 1 })
    expect(next.text ?? "").not.toContain("Interrupted")
    const nextTranscript = p.transcripts().find((t) => JSON.stringify(t.entries).includes("[ccl task next:"))!
    expect(nextTranscript.file).not.toBe(longTranscript.file)
    expect(p.ls("done")).toEqual(["next.md"])
    expect(p.ls("failed")).toEqual(["long.md"])
    // Already cancelled: 409 from the daemon, exit 2.
    expect(await p.ccl(["queue", "cancel", "long"])).toMatchObject({
      code: 2,
      stderr: "ccl: task long is in failed/: only pending or active tasks can be cancelled\n",
    })
    await p.stop()
  }, 120_000)

  it("pause holds across a restart; a pending task is cancelled by the daemon; bad bodies get 400 and change nothing", async () => {
    const p = await daemonProject({ poolSize: 1, workMs: 300, token: TOKEN })
    p.start()
    await p.answering()
    const paused = await p.ccl(["failover", "pause"])
    expect(paused).toMatchObject({ code: 0, stderr: "" })
    expect(paused.stdout).toContain("dispatching paused")
    expect((await status(p)).failover?.paused_by_operator).toBe(true)
    await add(p, "held")
    await add(p, "dropped")
    // The API's refusals: nothing moves.
    for (const body of ['{"reason": 5}', '{"bogus": true}', "not json"])
      expect((await post(p, "/api/tasks/dropped/cancel", body)).status, body).toBe(400)
    expect((await post(p, "/api/tasks/nope/cancel", "{}")).status).toBe(404)
    expect((await post(p, "/api/dispatch/pause", '{"x":1}')).status).toBe(400)
    expect(p.ls("pending")).toEqual(["dropped.md", "held.md"])
    // Cancelled by the daemon (its log says so): the claim race is the daemon's to settle.
    const cancelled = await p.ccl(["queue", "cancel", "dropped", "--json"])
    expect(cancelled.code).toBe(0)
    expect(JSON.parse(cancelled.stdout)).toEqual([
      { id: "dropped", from: "pending", status: "cancelled", message: "cancelled dropped (was pending)" },
    ])
    expect(p.log()).toContain("cancelled dropped (was pending)")
    expect(p.footer("failed", "dropped")).toMatchObject({
      status: "cancelled",
      error: "cancelled: by the operator",
    })
    // Restart: the pause is in state.json and holds.
    expect(await p.stop()).toBe(0)
    const state = JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8"))
    expect(state.dispatch_paused).toBe(true)
    p.start()
    await p.answering()
    expect((await status(p)).failover?.paused_by_operator).toBe(true)
    const shown = await p.ccl(["failover", "status"])
    expect(shown.stdout).toContain("dispatching paused by the operator")
    // Its session is ready and the task waits: a new task wakes the dispatcher, which still starts nothing.
    await eventually(
      async () => ((await status(p)).sessions[0]?.phase === "ready" ? true : undefined),
      30_000,
      p.log,
    )
    await add(p, "wake")
    await new Promise((r) => setTimeout(r, 1_500))
    expect(p.ls("pending")).toEqual(["held.md", "wake.md"])
    expect(p.ls("done")).toEqual([])
    const resumed = await p.ccl(["failover", "resume"])
    expect(resumed).toMatchObject({ code: 0 })
    expect((await status(p)).failover?.paused_by_operator).toBe(false)
    await inFolder(p, "done", "held")
    await inFolder(p, "done", "wake")
    expect(await p.stop()).toBe(0)
    expect(JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8")).dispatch_paused).toBe(
      false,
    )
  }, 120_000)
})

describe("ccl failover clear (real daemon)", () => {
  it("every account cooling held dispatching: clear ends the cooldowns and the waiting task runs", async () => {
    const p = await daemonProject({ poolSize: 1, workMs: 300, token: TOKEN, accounts: ["main", "backup"] })
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
    mkdirSync(path.join(p.dir, "state"), { recursive: true })
    writeFileSync(
      path.join(p.dir, "state", "state.json"),
      JSON.stringify({
        ...emptyDaemonState,
        active_account: "main",
        cooldowns: { main: inAnHour, backup: inAnHour },
      }),
    )
    p.start()
    await p.answering()
    const before = await status(p)
    expect(before.failover?.paused_until).not.toBeNull()
    expect(Object.keys(before.failover?.cooldowns ?? {}).sort()).toEqual(["backup", "main"])
    expect(await p.ccl(["failover", "clear", "nosuch"])).toMatchObject({ code: 2 })
    await add(p, "waiting")
    const cleared = await p.ccl(["failover", "clear", "--json"])
    expect(cleared.code).toBe(0)
    const answer = JSON.parse(cleared.stdout)
    expect(answer).toMatchObject({ paused_until: null, cooldowns: {}, paused_by_operator: false })
    expect([...answer.cleared].sort()).toEqual(["backup", "main"])
    expect(answer.message).toContain("dispatching resumed")
    await inFolder(p, "done", "waiting")
    expect(p.footer("done", "waiting")).toMatchObject({ status: "completed", account: "main" })
    expect(await p.stop()).toBe(0)
    expect(JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8")).cooldowns).toEqual({})
  }, 120_000)
})
