// The watchdog loop (issue 11, point 11: watchdog.every was parsed and never used): on its schedule, each task past
// its deadline is reported once per attempt; TestClock drives it.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import type { SessionRecord } from "../../src/domain/SessionTable.js"
import { runWatchdog } from "../../src/programs/daemon/Watchdog.js"
import type { StaleTask } from "../../src/services/Watchdog.js"

const session = (name: string, task: { id: string; attempt: number; deadlineAt: number } | undefined) =>
  ({
    name,
    kind: "pool",
    cwd: "/w",
    account: "main",
    conversationId: undefined,
    conversationFrom: undefined,
    phase: task === undefined ? "ready" : "working",
    task:
      task === undefined
        ? undefined
        : {
            ...task,
            dispatch: `${task.id}#${task.attempt}`,
            startedAt: 0,
            sentAt: 0,
            sawBusy: false,
            doneLinesBefore: 0,
          },
    owedStops: 0,
    filedPrompts: [],
    launchedAt: 0,
    limitLinesBefore: 0,
    failedLaunches: 0,
    state: "busy",
    decidedBy: "screen",
    since: 0,
  }) satisfies SessionRecord

describe("runWatchdog", () => {
  it.effect(
    "reports a task once when it passes its deadline, again for a new attempt, on watchdog.every",
    () =>
      Effect.gen(function* () {
        let sessions: ReadonlyArray<SessionRecord> = [
          session("ccl-pool-1", { id: "slow", attempt: 1, deadlineAt: 90_000 }),
          session("ccl-pool-2", { id: "quick", attempt: 1, deadlineAt: 10_000_000 }),
          session("ccl-pool-3", undefined),
        ]
        const reports: Array<StaleTask> = []
        const fiber = yield* Effect.fork(
          runWatchdog(
            () => sessions,
            30_000,
            (t) => Effect.sync(() => void reports.push(t)),
          ),
        )
        yield* TestClock.adjust("60 seconds")
        expect(reports).toEqual([])
        yield* TestClock.adjust("60 seconds") // 120 s: past slow's deadline
        expect(reports.map((r) => [r.task, r.session, r.attempt])).toEqual([["slow", "ccl-pool-1", 1]])
        yield* TestClock.adjust("5 minutes")
        expect(reports).toHaveLength(1) // once, not on every look
        // Given back and sent again (attempt 2), still late: reported again.
        sessions = [session("ccl-pool-2", { id: "slow", attempt: 2, deadlineAt: 100_000 })]
        yield* TestClock.adjust("30 seconds")
        expect(reports.map((r) => [r.task, r.session, r.attempt])).toEqual([
          ["slow", "ccl-pool-1", 1],
          ["slow", "ccl-pool-2", 2],
        ])
        yield* Fiber.interrupt(fiber)
      }),
  )
})
