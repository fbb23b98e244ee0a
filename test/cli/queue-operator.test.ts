// `ccl queue retry | cancel | rm`, `queue show --json`, and `ccl failover clear|pause|resume` without a daemon: the
// built binary on real files (issue 13). Cancel through a running daemon: test/daemon/operator.e2e.test.ts.
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { emptyDaemonState } from "../../src/domain/DaemonState.js"
import {
  appendFooter,
  footerAsHistory,
  parseFooter,
  type ResultFooter,
} from "../../src/domain/ResultFooter.js"
import { TaskQueueFs } from "../../src/layers/TaskQueueFs.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { runCcl } from "../support/cli.js"
import { freePort } from "../support/daemonProject.js"
import { tempDir } from "../support/tempDir.js"

const failedFooter: ResultFooter = {
  status: "failed",
  route: "local",
  provider: "claude-code",
  session: "ccl-pool-1",
  attempt: 3,
  finished_at: "2026-01-02T03:04:05.000Z",
  cause: "session_dead",
  error: "the session died 3 times",
}
const doneFooter: ResultFooter = {
  status: "completed",
  route: "local",
  provider: "claude-code",
  session: "ccl-pool-1",
  attempt: 3,
  finished_at: "2026-01-02T03:04:05.000Z",
}

/** A project with its own API port (no daemon listens there) and tasks placed in its folders. */
const project = async () => {
  const dir = tempDir()
  const port = await freePort()
  writeFileSync(path.join(dir, "ccl.yaml"), `queue: ./queue\nstate: ./state\napi: { port: ${port} }\n`)
  for (const d of ["tmp", "pending", "active", "done", "failed"])
    mkdirSync(path.join(dir, "queue", d), { recursive: true })
  mkdirSync(path.join(dir, "state"), { recursive: true })
  const file = (state: string, id: string) => path.join(dir, "queue", state, `${id}.md`)
  return {
    dir,
    file,
    put: (state: string, id: string, text: string) => writeFileSync(file(state, id), text),
    read: (state: string, id: string) => readFileSync(file(state, id), "utf8"),
    ls: (state: string) => readdirSync(path.join(dir, "queue", state)).sort(),
    ccl: (args: ReadonlyArray<string>, env?: Record<string, string>) =>
      runCcl(args, { cwd: dir, ...(env === undefined ? {} : { env }) }),
  }
}

describe("ccl queue retry", () => {
  it("failed -> pending with the failed run as history; show --json splits text and result", async () => {
    const p = await project()
    const failed = appendFooter("Fix the parser\n", failedFooter)
    p.put("failed", "t1", failed)
    const r = p.ccl(["queue", "retry", "t1"])
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(r.stdout).toContain("t1: back in pending/")
    expect(p.ls("failed")).toEqual([])
    expect(p.read("pending", "t1")).toBe(footerAsHistory(failed))
    const shown = JSON.parse(p.ccl(["queue", "show", "t1", "--json"]).stdout)
    expect(shown).toMatchObject({ id: "t1", state: "pending", result: null })
    expect(shown.text).toContain("<!-- ccl:previous-result -->")
    expect(shown.text).toContain("error: the session died 3 times")
    // Already pending: exit 2 naming where it is; nothing moved.
    expect(p.ccl(["queue", "retry", "t1"])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "ccl: task t1 is in pending/: only failed tasks can be retried\n",
    })
    expect(p.ls("pending")).toEqual(["t1.md"])
  })

  it("several ids: each reported, the good ones retried, exit 2 for a done and an unknown one", async () => {
    const p = await project()
    p.put("failed", "a", appendFooter("A\n", failedFooter))
    p.put("done", "b", appendFooter("B\n", doneFooter))
    p.put("failed", "c", appendFooter("C\n", failedFooter))
    const r = p.ccl(["queue", "retry", "a", "b", "nope", "c"])
    expect(r.code).toBe(2)
    expect(r.stdout.split("\n").filter(Boolean)).toEqual([
      "a: back in pending/ (the failed run's footer kept as history)",
      "c: back in pending/ (the failed run's footer kept as history)",
    ])
    expect(r.stderr.split("\n").filter(Boolean)).toEqual([
      "ccl: task b is in done/: only failed tasks can be retried",
      `ccl: task nope not found in ${path.join(p.dir, "queue")}`,
      "ccl: 2 of 4 tasks not retried",
    ])
    expect(p.ls("pending")).toEqual(["a.md", "c.md"])
    expect(p.ls("done")).toEqual(["b.md"])
    const json = JSON.parse(p.ccl(["queue", "retry", "b", "--json"]).stdout)
    expect(json).toEqual([
      { id: "b", error: "task b is in done/: only failed tasks can be retried", exit: 2 },
    ])
  })

  it("killed between its link into pending/ and its unlink from failed/: nothing lost, recover and a rerun finish it", async () => {
    for (const finish of ["rerun", "recover"] as const) {
      const p = await project()
      const failed = appendFooter("Fix the parser\n", failedFooter)
      p.put("failed", "t1", failed)
      const killed = p.ccl(["queue", "retry", "t1"], { CCL_FAILPOINT: "queue:requeue-linked" })
      expect(killed.code, finish).toBeNull() // SIGKILL
      expect(p.ls("pending")).toEqual(["t1.md"])
      expect(p.ls("failed")).toEqual(["t1.md"])
      if (finish === "rerun") expect(p.ccl(["queue", "retry", "t1"]).code).toBe(0)
      else
        await Effect.runPromise(
          Effect.provide(
            Effect.flatMap(TaskQueue, (q) => q.recover),
            TaskQueueFs(path.join(p.dir, "queue")).pipe(Layer.provide(NodeFileSystem.layer)),
          ),
        )
      expect(p.ls("failed"), finish).toEqual([])
      expect(p.ls("tmp"), finish).toEqual([])
      expect(p.read("pending", "t1"), finish).toBe(footerAsHistory(failed))
    }
  })
})

describe("ccl queue show --json", () => {
  it("a finished task: text is the task as written, result its parsed footer", async () => {
    const p = await project()
    p.put("done", "d1", appendFooter("---\npriority: 4\n---\nDo it\n", { ...doneFooter, text: "all good" }))
    const shown = JSON.parse(p.ccl(["queue", "show", "d1", "--json"]).stdout)
    expect(shown).toMatchObject({
      id: "d1",
      state: "done",
      delegated: false,
      frontmatter: { priority: 4 },
      error: null,
      text: "---\npriority: 4\n---\nDo it\n",
      result: { status: "completed", session: "ccl-pool-1", attempt: 3, text: "all good" },
    })
    expect(shown.path).toBe(p.file("done", "d1"))
  })
})

describe("ccl queue cancel (no daemon running)", () => {
  it("a pending task: failed/ as cancelled, with the reason or the default; its attempts leave state.json", async () => {
    const p = await project()
    p.put("pending", "p1", "One\n")
    p.put("pending", "p2", "Two\n")
    writeFileSync(
      path.join(p.dir, "state", "state.json"),
      JSON.stringify({ ...emptyDaemonState, attempts: { p2: 2, other: 1 }, retry_at: { p2: 1 } }),
    )
    expect(p.ccl(["queue", "cancel", "p1", "--reason", "superseded by p3"])).toMatchObject({
      code: 0,
      stdout: "cancelled p1 (was pending)\n",
      stderr: "",
    })
    expect(p.ccl(["queue", "cancel", "p2"]).code).toBe(0)
    expect(p.ls("pending")).toEqual([])
    const f1 = parseFooter(p.read("failed", "p1"))!
    expect(f1.original).toBe("One\n")
    expect(f1.footer).toMatchObject({
      status: "cancelled",
      cause: "cancelled",
      provider: "none",
      error: "cancelled: superseded by p3",
    })
    expect(parseFooter(p.read("failed", "p2"))!.footer.error).toBe("cancelled: by the operator")
    const state = JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8"))
    expect(state.attempts).toEqual({ other: 1 })
    expect(state.retry_at).toEqual({})
  })

  it("a delegated task: marker removed, filed with its job id, and the remote job said to run on", async () => {
    const p = await project()
    p.put("pending", "g1", "Summarise\n")
    const marker = {
      task_id: "g1",
      provider: "gemini",
      idempotency_key: "key-g1",
      job_id: "job-42",
      submitted_at: "2026-01-02T03:00:00.000Z",
      state: "delegated_to_secutools",
    }
    writeFileSync(path.join(p.dir, "queue", "pending", "g1.md.delegated"), JSON.stringify(marker))
    const r = p.ccl(["queue", "cancel", "g1", "--json"])
    expect(r.code).toBe(0)
    const [answer] = JSON.parse(r.stdout)
    expect(answer).toMatchObject({ id: "g1", from: "pending", status: "cancelled", job_id: "job-42" })
    expect(answer.message).toContain("the remote job job-42 was not cancelled")
    expect(p.ls("pending")).toEqual([])
    expect(parseFooter(p.read("failed", "g1"))!.footer).toMatchObject({
      status: "cancelled",
      route: "delegated",
      provider: "gemini",
      job_id: "job-42",
      started_at: "2026-01-02T03:00:00.000Z",
      cause: "cancelled",
    })
    expect(parseFooter(p.read("failed", "g1"))!.footer.error).toMatch(
      /^cancelled: by the operator; the remote job job-42 was not cancelled \(secutools has no cancel endpoint\)/,
    )
  })

  it("an active task needs the daemon (exit 1, naming its session); done, unknown and bad ids are exit 2", async () => {
    const p = await project()
    p.put("active", "a1", "Busy\n")
    p.put("done", "d1", appendFooter("Done\n", doneFooter))
    writeFileSync(
      path.join(p.dir, "state", "state.json"),
      JSON.stringify({
        ...emptyDaemonState,
        inflight: { "ccl-pool-2": { task: "a1", attempt: 1, sent_at: 1 } },
      }),
    )
    expect(p.ccl(["queue", "cancel", "a1"])).toMatchObject({
      code: 1,
      stderr:
        "ccl: task a1 is active in session ccl-pool-2 and no daemon runs to interrupt it: start it with ccl daemon\n",
    })
    expect(p.ccl(["queue", "cancel", "d1"])).toMatchObject({
      code: 2,
      stderr: "ccl: task d1 is in done/: only pending or active tasks can be cancelled\n",
    })
    expect(p.ccl(["queue", "cancel", "nope"]).code).toBe(2)
    expect(p.ccl(["queue", "cancel", "../x"]).code).toBe(2)
    expect(p.ls("active")).toEqual(["a1.md"])
    expect(p.ls("done")).toEqual(["d1.md"])
    expect(p.ls("failed")).toEqual([])
  })
})

describe("ccl queue rm", () => {
  it("removes from done/ and failed/ only; elsewhere or unknown is exit 2 and nothing goes", async () => {
    const p = await project()
    p.put("done", "d1", appendFooter("D\n", doneFooter))
    p.put("failed", "f1", appendFooter("F\n", failedFooter))
    p.put("pending", "p1", "P\n")
    expect(p.ccl(["queue", "rm", "d1", "f1"])).toMatchObject({
      code: 0,
      stdout: "removed done/d1\nremoved failed/f1\n",
    })
    expect(p.ccl(["queue", "rm", "p1"])).toMatchObject({
      code: 2,
      stderr: "ccl: task p1 is in pending/: only tasks in done/ or failed/ can be removed\n",
    })
    expect(p.ccl(["queue", "rm", "d1"]).code).toBe(2)
    expect(p.ccl(["queue", "rm"]).code).toBe(2)
    expect(p.ls("pending")).toEqual(["p1.md"])
    expect([...p.ls("done"), ...p.ls("failed")]).toEqual([])
  })

  it("--all-done --older-than 7d: by mtime, the newer kept; --json lists what went", async () => {
    const p = await project()
    const tenDaysAgo = Date.now() / 1000 - 10 * 86_400
    for (const id of ["old1", "old2", "new1"]) p.put("done", id, appendFooter(`${id}\n`, doneFooter))
    p.put("failed", "oldf", appendFooter("F\n", failedFooter))
    for (const id of ["old1", "old2"]) utimesSync(p.file("done", id), tenDaysAgo, tenDaysAgo)
    utimesSync(p.file("failed", "oldf"), tenDaysAgo, tenDaysAgo)
    const r = p.ccl(["queue", "rm", "--all-done", "--older-than", "7d", "--json"])
    expect(r.code).toBe(0)
    expect(
      JSON.parse(r.stdout)
        .map((t: { id: string; state: string }) => `${t.state}/${t.id}`)
        .sort(),
    ).toEqual(["done/old1", "done/old2"])
    expect(p.ls("done")).toEqual(["new1.md"])
    expect(p.ls("failed")).toEqual(["oldf.md"])
    expect(p.ccl(["queue", "rm", "--all-failed"])).toMatchObject({ code: 0, stdout: "removed failed/oldf\n" })
    expect(p.ccl(["queue", "rm", "--all-done", "--older-than", "soon"]).code).toBe(2)
    expect(p.ccl(["queue", "rm", "new1", "--older-than", "7d"]).code).toBe(2)
    expect(p.ls("done")).toEqual(["new1.md"])
    expect(existsSync(p.file("done", "new1"))).toBe(true)
  })
})

describe("ccl failover clear | pause | resume without a daemon", () => {
  it("exit 1 with one line; state.json untouched", async () => {
    const p = await project()
    for (const args of [["clear"], ["clear", "main"], ["pause"], ["resume"]]) {
      const r = p.ccl(["failover", ...args])
      expect(r.code, args.join(" ")).toBe(1)
      expect(r.stderr, args.join(" ")).toMatch(
        /^ccl: no daemon answers on http:\/\/127\.0\.0\.1:\d+: .*`ccl daemon`\n$/,
      )
    }
    expect(existsSync(path.join(p.dir, "state", "state.json"))).toBe(false)
  })
})
