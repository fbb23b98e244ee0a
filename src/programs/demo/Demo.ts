// `ccl demo`: the whole mission on one machine. A temporary project, the mock secutools server in this process,
// the daemon as a child running simulated agents on a private tmux server, a dozen tasks (some delegated, one
// hitting the usage limit so every session fails over to the second account), live progress, a summary.
// Everything it starts is stopped when its scope closes: at the end, on an error, or on Ctrl-C.

import { randomBytes } from "node:crypto"
import { writeFileSync } from "node:fs"
import { Console, Effect } from "effect"
import { shellQuote } from "../../domain/HookSettings.js"
import { failure } from "../cli/failure.js"
import { startMockSecutools } from "../MockSecutools.js"
import { childEnv, daemonEnv, daemonScoped, runChild, selfCcl, tmuxServerScoped } from "./DemoChild.js"
import { runMission, say } from "./DemoMission.js"
import type { DemoSnapshot } from "./DemoProgress.js"
import { DEDICATED, type DemoLayout, demoConfig, demoFolderScoped, freePort } from "./DemoProject.js"
import { logTail } from "./DemoReads.js"
import { type SummaryInput, summaryLines, summaryProblems } from "./DemoSummary.js"
import { demoTasks } from "./DemoTasks.js"

export interface DemoOptions {
  /** Keep the temporary folder (queue, state, daemon.log) at the end. */
  readonly keep: boolean
}

const TIMEOUT_MS = 110_000
const WORK_MS = 1500
const JOB_MS = 2000

/** Runs `ccl <args>` as a child; fails with its first stderr line when it exits non-zero. */
const cclStep = (ccl: { node: string; script: string }, l: DemoLayout, args: ReadonlyArray<string>) =>
  runChild(ccl.node, [ccl.script, ...args], { cwd: l.dir, env: childEnv(), timeoutMs: 30_000 }).pipe(
    Effect.flatMap((r) =>
      r.code === 0
        ? Effect.void
        : Effect.fail(
            failure(
              `demo: "ccl ${args.join(" ")}" exited ${r.code ?? "by a signal"}: ${r.stderr.trim().split("\n")[0] || "no message"}`,
            ),
          ),
    ),
  )

/** The demo, from an empty folder to the summary; fails with one line when it could not show everything. */
export const runDemo = (options: DemoOptions) =>
  Effect.gen(function* () {
    const startedAt = Date.now()
    const elapsed = () => Date.now() - startedAt
    const tty = process.stdout.isTTY === true
    const ccl = yield* selfCcl
    const socket = `ccl-demo-${process.pid}`
    const expected = demoTasks.length

    const outcome = yield* Effect.scoped(
      Effect.gen(function* () {
        const folder = yield* demoFolderScoped(options.keep)
        const l = folder.layout
        yield* say(
          `folder ${l.dir}${options.keep ? " (kept at the end)" : " (removed at the end; --keep keeps it)"}`,
        )
        yield* tmuxServerScoped(socket)
        const key = `demo-${randomBytes(12).toString("hex")}`
        const token = randomBytes(16).toString("hex")
        const secutools = yield* startMockSecutools({ key, jobMs: JOB_MS }).pipe(
          Effect.mapError((e) => failure(`demo: cannot start the mock secutools server: ${e.message}`)),
        )
        const apiPort = yield* freePort
        writeFileSync(
          l.config,
          demoConfig(l, {
            socket,
            node: ccl.node,
            script: ccl.script,
            workMs: WORK_MS,
            secutoolsUrl: secutools.url,
            apiPort,
          }),
          { mode: 0o600 },
        )
        yield* say(`mock secutools on ${secutools.url}, daemon API on http://127.0.0.1:${apiPort}`)
        // Independent: links beside settings.json in each home.
        yield* Effect.all(
          [
            cclStep(ccl, l, ["accounts", "ensure", "--config", l.config]),
            cclStep(ccl, l, ["hooks", "install", "--config", l.config]),
          ],
          { concurrency: 2, discard: true },
        )
        yield* say("accounts main and backup share their links; hooks installed")
        const daemon = yield* daemonScoped({
          node: ccl.node,
          script: ccl.script,
          config: l.config,
          cwd: l.dir,
          log: l.log,
          env: daemonEnv(l.dir, { SECUTOOLS_API_KEY: key, CCL_API_TOKEN: token }),
        })
        yield* say(`daemon pid ${daemon.pid ?? "?"}, log ${l.log}`)
        yield* say(`tmux socket ${socket} (watch a session: tmux -L ${socket} attach -r -t ccl-pool-1)`)

        const latest: { snapshot: DemoSnapshot | undefined } = { snapshot: undefined }
        const mission = runMission({ l, socket, apiPort, token, daemon, tty, elapsed, latest })
        const remaining = Math.max(1, TIMEOUT_MS - elapsed())
        const result = yield* mission.pipe(
          Effect.timeoutFail({
            duration: remaining,
            onTimeout: () => {
              const last = latest.snapshot
              return failure(
                `demo: not finished after ${TIMEOUT_MS / 1000} s (${
                  last === undefined
                    ? "the daemon never answered"
                    : `done ${last.queue.done}/${expected}, pending ${last.queue.pending}, active ${last.queue.active}`
                }): see ${l.log}${options.keep ? "" : " (run with --keep to keep it)"}`,
              )
            },
          }),
          Effect.tapError(() =>
            Effect.sync(() => {
              const tail = logTail(l, 20)
              if (tail.length > 0)
                process.stderr.write(
                  `daemon.log, last ${tail.length} lines:\n${tail.map((t) => `  | ${t}\n`).join("")}`,
                )
            }),
          ),
        )
        yield* say("stopping the daemon and the tmux server")
        return { ...result, dir: l.dir, kept: folder.kept }
      }),
    )

    const input: SummaryInput = {
      done: outcome.done,
      expected,
      failovers: outcome.history,
      dedicated: { name: DEDICATED, resumed: outcome.resumed, account: "backup" },
      elapsedMs: outcome.elapsedMs,
      dir: outcome.dir,
      kept: outcome.kept(),
      socket,
      ccl: `${shellQuote(ccl.node)} ${shellQuote(ccl.script)}`,
    }
    for (const line of summaryLines(input)) yield* Console.log(line)
    yield* Console.log(`ccl demo: finished in ${(elapsed() / 1000).toFixed(1)} s, cleanup included`)
    const problems = summaryProblems(input)
    if (problems.length > 0) return yield* Effect.fail(failure(`demo: ${problems.join("; ")}`))
  })
