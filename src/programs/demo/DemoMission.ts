// The demo's mission once everything runs: every session up, the operator's conversation, the tasks, live
// progress until the last one is done, and what happened.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { Console, Deferred, Effect, Layer } from "effect"
import { parseFooter } from "../../domain/ResultFooter.js"
import { TaskQueueFs } from "../../layers/TaskQueueFs.js"
import { TaskQueue } from "../../services/TaskQueue.js"
import { describeError, failure } from "../cli/failure.js"
import { type DaemonChild, tmux } from "./DemoChild.js"
import { pollUntil, waitFor } from "./DemoPolling.js"
import {
  type DemoSnapshot,
  type FailoverEvent,
  panel,
  parseStatus,
  plainUpdate,
  redraw,
} from "./DemoProgress.js"
import { DEDICATED, type DemoLayout } from "./DemoProject.js"
import { getJson, logTail, readHistory, tasksIn, userPrompts } from "./DemoReads.js"
import { type FinishedTask, resumedLine } from "./DemoSummary.js"
import { demoTasks } from "./DemoTasks.js"

const POLL = "500 millis"
const OPERATOR_PROMPT = "Keep a running log of what the pool does today, in notes.md"

export const say = (text: string) => Console.log(`ccl demo: ${text}`)

export interface MissionContext {
  readonly l: DemoLayout
  readonly socket: string
  readonly apiPort: number
  readonly token: string
  readonly daemon: DaemonChild
  readonly tty: boolean
  readonly elapsed: () => number
  /** The daemon's latest status, kept for the caller's timeout message too. */
  readonly latest: { snapshot: DemoSnapshot | undefined }
}

/** Adds the sample tasks through the queue's own layer (validated, written atomically, as `ccl queue add`). */
const enqueueAll = (l: DemoLayout) =>
  Effect.gen(function* () {
    const queue = yield* TaskQueue
    for (const t of demoTasks) yield* queue.enqueue(t.id, t.text)
  }).pipe(
    Effect.provide(Layer.fresh(TaskQueueFs(l.queue))),
    Effect.mapError((e) => failure(`demo: cannot enqueue the sample tasks: ${describeError(e).line}`)),
  )

/** Steps 1 to 5; fails as soon as the daemon exits or a task fails. */
export const runMission = ({ l, socket, apiPort, token, daemon, tty, elapsed, latest }: MissionContext) =>
  Effect.gen(function* () {
    const expected = demoTasks.length
    const daemonGone = Effect.gen(function* () {
      if (!(yield* Deferred.isDone(daemon.exited))) return
      const how = yield* Deferred.await(daemon.exited)
      return yield* Effect.fail(
        failure(`demo: the daemon exited (${how}): ${logTail(l, 1)[0] ?? "no output"} (log: ${l.log})`),
      )
    })

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
      if (snapshot !== undefined) latest.snapshot = snapshot
      failovers = readHistory(l) ?? failovers
      if (tty) {
        const lines = panel(latest.snapshot, failovers, elapsed())
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
        const footer = parseFooter(readFileSync(path.join(l.queue, "failed", failed[0]!), "utf8"))?.footer
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
    const paneResumed = Effect.map(tmux(socket, "capture-pane", "-p", "-J", "-t", `=${DEDICATED}:`), (r) =>
      resumedLine(r.stdout, l.homes.backup),
    )
    const resumed = history.some((e) => e.outcome === "swapped")
      ? yield* waitFor(paneResumed, 10_000, "250 millis", () => "").pipe(
          Effect.orElse(() => Effect.succeed(undefined)),
        )
      : yield* paneResumed
    return { done, history, resumed, elapsedMs: elapsed() }
  })
