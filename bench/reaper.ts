import { type ChildProcess, spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer, Redacted } from "effect"
import { defaultRetryPolicy } from "../src/domain/RetryPolicy.js"
import type { Settings } from "../src/domain/Settings.js"
import { DelegationLive } from "../src/layers/DelegationLive.js"
import { SecutoolsClientHttp } from "../src/layers/SecutoolsClientHttp.js"
import { TaskQueueFs } from "../src/layers/TaskQueueFs.js"
import { AppConfig } from "../src/services/AppConfig.js"
import { Delegation } from "../src/services/Delegation.js"
import { SecutoolsClient } from "../src/services/SecutoolsClient.js"
import { round, timeMs } from "./stats.js"
import type { BenchResult } from "./types.js"

const SIZES = process.env.CCL_BENCH_DEBUG ? [1_000] : [1_000, 10_000]
const KEY = "sk-bench"

/** `ccl mock-secutools` in its own process, as a real platform would be: the reaper's cost is measured alone. */
const mockServerProcess = Effect.acquireRelease(
  Effect.async<{ url: string; child: ChildProcess }, Error>((resume) => {
    const child = spawn(process.execPath, ["dist/ccl.mjs", "mock-secutools", "--key", KEY, "--job-ms", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    })
    child.stdout.setEncoding("utf8")
    child.stdout.once("data", (line: string) => {
      const url = /listening on (\S+)/.exec(line)?.[1]
      resume(
        url === undefined
          ? Effect.fail(new Error(`mock-secutools said: ${line}`))
          : Effect.succeed({ url, child }),
      )
    })
    child.once("error", (e) => resume(Effect.fail(e)))
  }),
  ({ child }) => Effect.sync(() => child.kill("SIGTERM")),
)

/** N delegated tasks whose jobs exist and have completed on the mock server; then one reap cycle, timed. */
const measure = (n: number) =>
  Effect.gen(function* () {
    const root = mkdtempSync(path.join(tmpdir(), "ccl-bench-reaper-"))
    try {
      const server = yield* mockServerProcess
      const pending = path.join(root, "queue", "pending")
      for (const d of ["tmp", "pending", "active", "done", "failed"])
        mkdirSync(path.join(root, "queue", d), { recursive: true })
      const settings = {
        delegation: { concurrency: 16, pollMs: 10_000, deadlineMs: 7_200_000 },
      } as unknown as Settings
      const client = SecutoolsClientHttp({
        url: server.url,
        apiKey: Redacted.make(KEY),
        policy: defaultRetryPolicy,
      }).pipe(Layer.provide(FetchHttpClient.layer))
      const ctx = yield* Layer.build(
        DelegationLive.pipe(
          Layer.provideMerge(TaskQueueFs(path.join(root, "queue"))),
          Layer.provideMerge(client),
          Layer.provide(Layer.succeed(AppConfig, settings)),
          Layer.provide(NodeFileSystem.layer),
        ),
      )
      const secutools = yield* Effect.provide(SecutoolsClient, ctx)
      yield* Effect.forEach(
        Array.from({ length: n }, (_, i) => `job-task-${i}`),
        (id) =>
          Effect.gen(function* () {
            const key = `ccl-${id}-bench`
            const accepted = yield* secutools.submitJob({
              provider: "gemini",
              prompt: `Task ${id}`,
              metadata: { task_id: id },
              idempotencyKey: key,
            })
            writeFileSync(path.join(pending, `${id}.md`), `Task ${id}\n`)
            writeFileSync(
              path.join(pending, `${id}.md.delegated`),
              JSON.stringify({
                task_id: id,
                provider: "gemini",
                idempotency_key: key,
                job_id: accepted.job_id,
                submitted_at: new Date().toISOString(),
                state: "delegated_to_secutools",
              }),
            )
          }),
        { concurrency: 16, discard: true },
      )
      const delegation = yield* Effect.provide(Delegation, ctx)
      let completed = 0
      const cpu0 = process.cpuUsage()
      const ms = yield* Effect.promise(() =>
        timeMs(() =>
          Effect.runPromise(Effect.map(delegation.reapOnce, (r) => (completed = r.completed.length))),
        ),
      )
      const cpu = process.cpuUsage(cpu0)
      if (process.env.CCL_BENCH_DEBUG)
        console.log(
          `reap ${n}: ${ms.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms cpu (user ${(cpu.user / 1000).toFixed(0)})`,
        )
      const done = readdirSync(path.join(root, "queue", "done")).length
      if (completed !== n || done !== n) throw new Error(`reaped ${completed}, done/ holds ${done}, of ${n}`)
      return ms
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }).pipe(Effect.scoped)

export const reaper = async (): Promise<BenchResult> => {
  const figures: Record<string, number> = {}
  for (const n of SIZES) figures[`cycle_${n}_ms`] = round(await Effect.runPromise(measure(n)))
  if (figures.cycle_10000_ms !== undefined)
    figures.growth_1k_to_10k = round(figures.cycle_10000_ms / figures.cycle_1000_ms!, 2)
  return {
    name: "reaper",
    figures,
    budget: "one cycle over 1,000 completed jobs <= 1000 ms",
    withinBudget: figures.cycle_1000_ms! <= 1000,
    note: "mock server in its own process; per job: GET over loopback HTTP (16 at a time), read marker + task; filed 256 at a time: staging written + fsynced, linked, one fsync of done/ per batch, then staging, task and marker unlinked",
  }
}
