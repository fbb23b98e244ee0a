// `ccl decide` and `ccl delegate` on a Postgres queue, through the built CLI and the mock secutools server: the
// marker is a row with its idempotency key, the reaper files the result once, `ccl queue show` prints the footer.
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { startMockSecutools } from "../../src/programs/MockSecutools.js"
import { runCclAsync } from "../support/cli.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { tempDir } from "../support/tempDir.js"

const KEY = "sk-PG-DELEGATE-SENTINEL"

describePg("ccl decide and ccl delegate on a Postgres queue", () => {
  it.live("decide routes as on a folder; submit makes a marker row; reap files the result once", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const server = yield* startMockSecutools({ key: KEY, jobMs: 100 })
        const cwd = tempDir()
        writeFileSync(
          path.join(cwd, "ccl.yaml"),
          "delegation:\n  retry: { attempts: 4, base: 20ms, cap: 100ms, attempt_timeout: 2s, deadline: 20s }\n",
        )
        const env = {
          CCL_QUEUE: pgDatabase("cli_delegate"),
          CCL_NODE: "cli-node",
          CCL_API_PORT: "1",
          SECUTOOLS_API_KEY: KEY,
          SECUTOOLS_URL: server.url,
        }
        const ccl = (...args: Array<string>) => Effect.promise(() => runCclAsync(args, { cwd, env }))
        writeFileSync(path.join(cwd, "w1.md"), "---\npreferred_ai: gemini\n---\nSummarise the weather\n")

        const decided = yield* ccl("decide", "w1.md")
        expect(decided).toMatchObject({ code: 0, stdout: "gemini\n" })

        const submitted = yield* ccl("delegate", "submit", "w1.md")
        expect(submitted.code).toBe(0)
        const job = JSON.parse(submitted.stdout) as { task_id: string; job_id: string; provider: string }
        expect(job).toMatchObject({ task_id: "w1", provider: "gemini" })
        // The marker row: the task is pending but delegated, so no node can claim it.
        const listed = JSON.parse((yield* ccl("queue", "list", "--json")).stdout)
        expect(listed).toMatchObject([{ id: "w1", state: "pending", delegated: true, path: "postgres:w1" }])

        // A second submit of the same task posts nothing new: the row already holds its key and job.
        yield* ccl("delegate", "submit", "w1.md")
        expect((yield* server.stats).jobs).toBe(1)

        let reaped = ""
        for (let i = 0; i < 60 && !reaped.startsWith("completed 1"); i++) {
          reaped = (yield* ccl("delegate", "reap", "--once")).stdout
          if (!reaped.startsWith("completed 1")) yield* Effect.sleep("100 millis")
        }
        expect(reaped.trim()).toBe("completed 1, failed 0, resubmitted 0, still running 0")
        const shown = (yield* ccl("queue", "show", "w1")).stdout
        expect(shown.split("\n")[0]).toBe("# done: postgres:w1")
        const footer = parseFooter(shown.split("\n").slice(1).join("\n"))!.footer
        expect(footer).toMatchObject({ route: "delegated", provider: "gemini", job_id: job.job_id })
        // Filed once: a second reap finds nothing to do.
        expect((yield* ccl("delegate", "reap", "--once")).stdout.trim()).toBe(
          "completed 0, failed 0, resubmitted 0, still running 0",
        )
        for (const r of [submitted, decided]) expect(r.stdout + r.stderr).not.toContain(KEY)
      }),
    ),
  )
})
