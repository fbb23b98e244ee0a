// `ccl delegate` as bash scripts use it, and kill -9 at each step of a delegation, against the mock server.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { startMockSecutools } from "../../src/programs/MockSecutools.js"
import { runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const KEY = "sk-PLANTED-SENTINEL-7"

/** A project folder whose ccl.yaml retries fast, and the environment that points ccl at the mock server. */
const project = (url: string) => {
  const cwd = tempDir()
  writeFileSync(
    path.join(cwd, "ccl.yaml"),
    "delegation:\n  retry: { attempts: 4, base: 20ms, cap: 100ms, attempt_timeout: 2s, deadline: 20s }\n",
  )
  const env = { SECUTOOLS_API_KEY: KEY, SECUTOOLS_URL: url }
  const ccl = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) =>
    Effect.promise(() => runCclAsync(args, { cwd, env: { ...env, ...extra } }))
  const queue = (...p: Array<string>) => path.join(cwd, ".ccl", "queue", ...p)
  const ls = (state: string) => (existsSync(queue(state)) ? readdirSync(queue(state)).sort() : [])
  return { cwd, ccl, queue, ls }
}

const reapUntil = (ccl: ReturnType<typeof project>["ccl"], done: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 40 && !done(); i++) {
      yield* ccl(["delegate", "reap", "--once"])
      if (!done()) yield* Effect.sleep("100 millis")
    }
  })

describe("ccl delegate (built CLI, mock server over HTTP)", () => {
  it.live(
    "submit prints {task_id, job_id, provider}; get prints the job; result prints the text; reap files it",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* startMockSecutools({ key: KEY, jobMs: 150 })
          const p = project(server.url)
          writeFileSync(path.join(p.cwd, "w1.md"), "---\npreferred_ai: gemini\n---\nSummarise the weather\n")
          const submitted = yield* p.ccl(["delegate", "submit", "w1.md"])
          expect(submitted.code).toBe(0)
          const out = JSON.parse(submitted.stdout)
          expect(Object.keys(out).sort()).toEqual(["job_id", "provider", "task_id"])
          expect(out).toMatchObject({ task_id: "w1", provider: "gemini" })
          expect(p.ls("pending")).toEqual(["w1.md", "w1.md.delegated"])

          const waited = yield* p.ccl(["delegate", "result", out.job_id, "--wait", "--timeout", "10s"])
          expect(waited.code).toBe(0)
          expect(waited.stdout).toContain("w1")
          const job = JSON.parse((yield* p.ccl(["delegate", "get", out.job_id])).stdout)
          expect(job).toMatchObject({ job_id: out.job_id, status: "completed", provider: "gemini" })

          const reaped = yield* p.ccl(["delegate", "reap", "--once"])
          expect(reaped.stdout.trim()).toBe("completed 1, failed 0, resubmitted 0, still running 0")
          const footer = parseFooter(readFileSync(p.queue("done", "w1.md"), "utf8"))!.footer
          expect(footer).toMatchObject({ route: "delegated", provider: "gemini", job_id: out.job_id })
          expect(footer.cost_usd).toBeGreaterThan(0)
          for (const r of [submitted, waited, reaped]) expect(r.stdout + r.stderr).not.toContain(KEY)
        }),
      ),
  )

  it.live(
    "--provider overrides the router; a task that routes local is refused (exit 1); decide matches ccl decide",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* startMockSecutools({ key: KEY })
          const p = project(server.url)
          writeFileSync(path.join(p.cwd, "plain.md"), "no frontmatter\n")
          const refused = yield* p.ccl(["delegate", "submit", "plain.md"])
          expect(refused.code).toBe(1)
          expect(refused.stderr).toContain("routes local")
          const forced = yield* p.ccl(["delegate", "submit", "plain.md", "--provider", "gpu"])
          expect(JSON.parse(forced.stdout)).toMatchObject({ task_id: "plain", provider: "gpu" })
          const badProvider = yield* p.ccl(["delegate", "submit", "plain.md", "--provider", "nope"])
          expect(badProvider.code).toBe(2)
          const decide = yield* p.ccl([
            "delegate",
            "decide",
            "--field",
            "complexity_hint=high",
            "--field",
            "allow_delegation=true",
          ])
          expect(decide).toMatchObject({ code: 0, stdout: "claude-api\n" })
        }),
      ),
  )

  it.live(
    "result of a failed job exits 1 with its error on stderr; a running job without --wait exits 1",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* startMockSecutools({ key: KEY, jobMs: 10_000 })
          const p = project(server.url)
          writeFileSync(path.join(p.cwd, "f.md"), "---\npreferred_ai: gpu\n---\nplease [fail]\n")
          const { job_id } = JSON.parse((yield* p.ccl(["delegate", "submit", "f.md"])).stdout)
          const early = yield* p.ccl(["delegate", "result", job_id])
          expect(early.code).toBe(1)
          expect(early.stderr).toMatch(/is (queued|running): use --wait/)
          const failed = yield* p.ccl(["delegate", "result", job_id, "--wait"])
          expect(failed.code).toBe(1)
          expect(failed.stdout).toBe("")
          expect(failed.stderr.trim()).toBe(
            `ccl: job ${job_id} failed: provider error: the task asked to fail`,
          )
        }),
      ),
  )

  it.live("without SECUTOOLS_API_KEY: exit 2 and the fix; with a wrong key: exit 1, key never printed", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startMockSecutools({ key: KEY })
        const p = project(server.url)
        const off = yield* p.ccl(["delegate", "get", "x"], { SECUTOOLS_API_KEY: "" })
        expect(off.code).toBe(2)
        expect(off.stderr).toContain("set SECUTOOLS_API_KEY")
        const wrong = yield* p.ccl(["delegate", "get", "x"], { SECUTOOLS_API_KEY: "sk-WRONG-SENTINEL" })
        expect(wrong.code).toBe(1)
        expect(wrong.stderr).toContain("401")
        expect(wrong.stderr).not.toContain("sk-WRONG-SENTINEL")
      }),
    ),
  )
})

describe("kill -9 during a delegation, then restart: one done/ file, one remote job, no marker left", () => {
  const crashThenRecover = (failpoint: string, during: "submit" | "reap") =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startMockSecutools({ key: KEY, jobMs: 100 })
        const p = project(server.url)
        mkdirSync(p.cwd, { recursive: true })
        writeFileSync(path.join(p.cwd, "c1.md"), "---\npreferred_ai: gemini\n---\nCrash me gently\n")
        const crashEnv = { CCL_FAILPOINT: failpoint }
        if (during === "submit") {
          const killed = yield* p.ccl(["delegate", "submit", "c1.md"], crashEnv)
          expect(killed.signal).toBe("SIGKILL")
        } else {
          expect((yield* p.ccl(["delegate", "submit", "c1.md"])).code).toBe(0)
          yield* Effect.sleep("300 millis") // the job completes
          const killed = yield* p.ccl(["delegate", "reap", "--once"], crashEnv)
          expect(killed.signal).toBe("SIGKILL")
        }
        yield* reapUntil(p.ccl, () => p.ls("pending").length === 0)
        expect(p.ls("done")).toEqual(["c1.md"])
        expect(p.ls("pending")).toEqual([])
        expect(p.ls("tmp")).toEqual([])
        expect(parseFooter(readFileSync(p.queue("done", "c1.md"), "utf8"))!.original).toBe(
          "---\npreferred_ai: gemini\n---\nCrash me gently\n",
        )
        expect((yield* server.stats).jobs).toBe(1)
      }),
    )

  it.live("after the marker is created, before the POST", () =>
    crashThenRecover("delegation:marker-created", "submit"),
  )
  it.live("after the POST, before the marker holds the job id", () =>
    crashThenRecover("delegation:posted", "submit"),
  )
  it.live("after done/ is written, before pending/ is removed", () =>
    crashThenRecover("queue:done-linked", "reap"),
  )
})

describe("kill -9 in the middle of a reap's batch, then restart: each task filed once, no marker left", () => {
  const TASKS = ["b1", "b2", "b3"]
  const crashMidBatch = (failpoint: string) =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startMockSecutools({ key: KEY, jobMs: 100 })
        const p = project(server.url)
        mkdirSync(p.cwd, { recursive: true })
        for (const id of TASKS) {
          writeFileSync(path.join(p.cwd, `${id}.md`), `---\npreferred_ai: gemini\n---\nBatch ${id}\n`)
          expect((yield* p.ccl(["delegate", "submit", `${id}.md`])).code).toBe(0)
        }
        yield* Effect.sleep("300 millis") // every job completes: one reap files the three in one batch
        const killed = yield* p.ccl(["delegate", "reap", "--once"], { CCL_FAILPOINT: failpoint })
        expect(killed.signal).toBe("SIGKILL")
        yield* reapUntil(p.ccl, () => p.ls("pending").length === 0)
        expect(p.ls("done")).toEqual(TASKS.map((id) => `${id}.md`))
        expect(p.ls("tmp")).toEqual([])
        for (const id of TASKS)
          expect(parseFooter(readFileSync(p.queue("done", `${id}.md`), "utf8"))!.original).toBe(
            `---\npreferred_ai: gemini\n---\nBatch ${id}\n`,
          )
        expect((yield* server.stats).jobs).toBe(3)
      }),
    )

  it.live("after every result is staged, before any is linked", () => crashMidBatch("queue:done-staged"))
  it.live("after the links and the sync of done/, before any source is removed", () =>
    crashMidBatch("queue:done-linked"),
  )
  it.live("after the sources and markers are removed", () => crashMidBatch("queue:done-unlinked"))
})
