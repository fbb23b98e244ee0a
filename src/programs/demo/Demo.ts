// `ccl demo`: the whole mission on one machine. A temporary project, the mock secutools server in this process,
// the daemon as a child running simulated agents on a private tmux server, a dozen tasks (some delegated, one
// hitting the usage limit so every session fails over to the second account), live progress, a summary.
// Everything it starts is stopped when its scope closes: at the end, on an error, or on Ctrl-C.

import { randomBytes } from "node:crypto"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Console, Deferred, type Duration, Effect, Layer } from "effect"
import { shellQuote } from "../../domain/HookSettings.js"
import { parseFooter } from "../../domain/ResultFooter.js"
import { TaskQueueFs } from "../../layers/TaskQueueFs.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { describeError, failure } from "../cli/failure.js"
import { startMockSecutools } from "../MockSecutools.js"
import { childEnv, daemonEnv, daemonScoped, runChild, selfCcl, tmux, tmuxServerScoped } from "./DemoChild.js"
import {
  type DemoSnapshot,
  type FailoverEvent,
  panel,
  parseHistory,
  parseStatus,
  plainUpdate,
  redraw,
} from "./DemoProgress.js"
import { DEDICATED, type DemoLayout, demoConfig, demoFolderScoped, freePort } from "./DemoProject.js"
import {
  type FinishedTask,
  resumedLine,
  type SummaryInput,
  summaryLines,
  summaryProblems,
} from "./DemoSummary.js"
import { demoTasks } from "./DemoTasks.js"

export interface DemoOptions {
  /** Keep the temporary folder (queue, state, daemon.log) at the end. */
  readonly keep: boolean
}

const TIMEOUT_MS = 110_000
const WORK_MS = 1500
const JOB_MS = 2000
const POLL = "500 millis"
const OPERATOR_PROMPT = "Keep a running log of what the pool does today, in notes.md"

const say = (text: string) => Console.log(`ccl demo: ${text}`)

/** GET on the daemon's API; undefined when it does not answer 200 with JSON. */
const getJson = (port: number, token: string, route: string) =>
  Effect.tryPromise(async () => {
    const r = await fetch(`http://127.0.0.1:${port}${route}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    })
    return r.status === 200 ? ((await r.json()) as unknown) : undefined
  }).pipe(Effect.orElseSucceed(() => undefined))

const tasksIn = (l: DemoLayout, state: "done" | "failed") => {
  const dir = path.join(l.queue, state)
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")) : []
}

const readHistory = (l: DemoLayout): ReadonlyArray<FailoverEvent> | undefined => {
  try {
    return parseHistory(JSON.parse(readFileSync(path.join(l.state, "state.json"), "utf8")))
  } catch {
    return undefined
  }
}

/** Every user prompt in the shared transcripts (`<shared>/projects/<slug>/<uuid>.jsonl`). */
const userPrompts = (l: DemoLayout): ReadonlyArray<string> => {
  const root = path.join(l.shared, "projects")
  if (!existsSync(root)) return []
  return readdirSync(root).flatMap((slug) =>
    readdirSync(path.join(root, slug))
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) =>
        readFileSync(path.join(root, slug, f), "utf8")
          .split("\n")
          .flatMap((line) => {
            try {
              const e = JSON.parse(line) as { type?: string; message?: { content?: unknown } }
              return e.type === "user" ? [String(e.message?.content)] : []
            } catch {
              return []
            }
          }),
      ),
  )
}

const logTail = (l: DemoLayout, lines: number) => {
  try {
    return readFileSync(l.log, "utf8").trimEnd().split("\n").slice(-lines)
  } catch {
    return []
  }
}

/** Runs `check` every `every` until it returns a value. */
const pollUntil = <A, E>(
  check: Effect.Effect<A | undefined, E>,
  every: Duration.DurationInput,
): Effect.Effect<A, E> =>
  Effect.flatMap(check, (a) =>
    a !== undefined ? Effect.succeed(a) : Effect.zipRight(Effect.sleep(every), pollUntil(check, every)),
  )

/** pollUntil, failing with `message` after `ms`. */
const waitFor = <A, E>(
  check: Effect.Effect<A | undefined, E>,
  ms: number,
  every: Duration.DurationInput,
  message: () => string,
) => pollUntil(check, every).pipe(Effect.timeoutFail({ duration: ms, onTimeout: () => failure(message()) }))

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

/** Adds the sample tasks through the queue's own layer (validated, written atomically, as `ccl queue add`). */
const enqueueAll = (l: DemoLayout) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    for (const t of demoTasks) yield* queue.enqueue(t.id, t.text)
  }).pipe(
    Effect.provide(Layer.fresh(TaskQueueFs(l.queue))),
    Effect.mapError((e) => failure(`demo: cannot enqueue the sample tasks: ${describeError(e).line}`)),
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

        const daemonGone = Effect.gen(function* () {
          if (!(yield* Deferred.isDone(daemon.exited))) return
          const how = yield* Deferred.await(daemon.exited)
          return yield* Effect.fail(
            failure(`demo: the daemon exited (${how}): ${logTail(l, 1)[0] ?? "no output"} (log: ${l.log})`),
          )
        })

        let last: DemoSnapshot | undefined
        const mission = Effect.gen(function* () {
          // 1. Every session up: three pool workers and the operator's dedicated session.
          yield* waitFor(
            Effect.zipRight(
              daemonGone,
              getJson(apiPort, token, "/api/sessions").pipe(
                Effect.map((body) =>
                  Array.isArray(body) &&
                  body.length === 4 &&
                  body.every((s) => (s as { phase?: string }).phase === "ready")
                    ? true
                    : undefined,
                ),
              ),
            ),
            60_000,
            "300 millis",
            () => `demo: the 4 sessions were not ready within 60 s: see ${l.log}`,
          )
          yield* say(`4 sessions ready after ${(elapsed() / 1000).toFixed(1)} s`)

          // 2. The operator talks to the dedicated session: a conversation the failover must carry over.
          for (const keys of [["-l", OPERATOR_PROMPT], ["Enter"]]) {
            const r = yield* tmux(socket, "send-keys", "-t", `=${DEDICATED}:`, ...keys)
            if (r.code !== 0)
              return yield* Effect.fail(
                failure(`demo: cannot type into ${DEDICATED}: ${r.stderr.trim() || `tmux exited ${r.code}`}`),
              )
          }
          yield* waitFor(
            Effect.sync(() => (userPrompts(l).includes(OPERATOR_PROMPT) ? true : undefined)),
            30_000,
            "200 millis",
            () => `demo: the prompt typed into ${DEDICATED} never reached its transcript under ${l.shared}`,
          )
          yield* say(`${DEDICATED}: the operator's conversation started under main`)

          // 3. The work: a dozen tasks, a third delegated, one hitting main's usage limit.
          yield* enqueueAll(l)
          yield* say(
            `${expected} tasks queued: ${demoTasks.filter((t) => t.expected !== "local").length} delegated, ${demoTasks.filter((t) => t.expected === "local").length} local (t07 hits the usage limit)`,
          )

          // 4. Live progress until every task is in done/.
          let seen = { line: "", failovers: 0 }
          let drawn = 0
          let failovers: ReadonlyArray<FailoverEvent> = []
          const tick = Effect.gen(function* () {
            yield* daemonGone
            const snapshot = parseStatus(yield* getJson(apiPort, token, "/api/status"))
            if (snapshot !== undefined) last = snapshot
            failovers = readHistory(l) ?? failovers
            if (tty) {
              const lines = panel(last, failovers, elapsed())
              process.stdout.write(redraw(drawn, lines, process.stdout.columns))
              drawn = lines.length
            } else {
              const update = plainUpdate(new Date(), snapshot, failovers, seen)
              seen = update.seen
              for (const line of update.lines) yield* Console.log(line)
            }
            const failed = tasksIn(l, "failed")
            if (failed.length > 0) {
              const id = failed[0]!.replace(/\.md$/, "")
              const footer = parseFooter(
                readFileSync(path.join(l.queue, "failed", failed[0]!), "utf8"),
              )?.footer
              return yield* Effect.fail(
                failure(
                  `demo: task ${id} failed: ${footer?.error ?? "no reason given"} (${path.join(l.queue, "failed")})`,
                ),
              )
            }
            return tasksIn(l, "done").length >= expected ? true : undefined
          })
          yield* pollUntil(tick, POLL)

          // 5. What happened: results, failover, the dedicated conversation on its new account.
          const done: ReadonlyArray<FinishedTask> = tasksIn(l, "done").map((f) => ({
            id: f.replace(/\.md$/, ""),
            footer: parseFooter(readFileSync(path.join(l.queue, "done", f), "utf8"))?.footer,
          }))
          const history = readHistory(l) ?? failovers
          const paneResumed = Effect.map(
            tmux(socket, "capture-pane", "-p", "-J", "-t", `=${DEDICATED}:`),
            (r) => resumedLine(r.stdout, l.homes.backup),
          )
          const resumed = history.some((e) => e.outcome === "swapped")
            ? yield* waitFor(paneResumed, 10_000, "250 millis", () => "").pipe(
                Effect.orElse(() => Effect.succeed(undefined)),
              )
            : yield* paneResumed
          return { done, history, resumed, elapsedMs: elapsed() }
        })

        const remaining = Math.max(1, TIMEOUT_MS - elapsed())
        const result = yield* mission.pipe(
          Effect.timeoutFail({
            duration: remaining,
            onTimeout: () =>
              failure(
                `demo: not finished after ${TIMEOUT_MS / 1000} s (${
                  last === undefined
                    ? "the daemon never answered"
                    : `done ${last.queue.done}/${expected}, pending ${last.queue.pending}, active ${last.queue.active}`
                }): see ${l.log}${options.keep ? "" : " (run with --keep to keep it)"}`,
              ),
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
