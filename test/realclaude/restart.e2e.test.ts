// Restarts with the real Claude Code 2.1.332: a daemon stopped and started again adopts its sessions and re-sends
// nothing; a tmux server that died while the daemon was down gives the operator's dedicated conversation back,
// resumed with its own id, and the pool task that was in flight goes back to pending and runs again.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import {
  explain,
  sessionsOf,
  startedProject,
  tokenOf,
  typeInto,
  untilDone,
  untilPhase,
} from "./realClaude.js"

const TOKEN = "realclaude-restart"
const TALKED = "ccl-1-talked"

describe("real Claude Code: restarts", () => {
  it.live(
    "SIGTERM and restart mid-task: the session is adopted with its task, nothing is re-sent, the task is filed once",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 1, token: TOKEN }, ["ccl-pool-1"])
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "slow", "--text", "marker-slow: take your time [work=6000]"]),
        )
        yield* Effect.promise(() => eventually(() => p.mock.promptsWith("marker-slow")[0], 30_000, p.log))
        expect(yield* Effect.promise(() => p.stop("SIGTERM"))).toBe(0)
        p.start()
        yield* Effect.promise(() => untilDone(p, "slow", 60_000, explain(p, ["ccl-pool-1"])))
        expect(p.log()).toMatch(/adopted session ccl-pool-1 \(task slow\)/)
        expect(p.footer("done", "slow")).toMatchObject({ attempt: 1, account: "main" })
        const requests = p.mock.promptsWith("marker-slow")
        expect(requests.map((r) => r.status)).toEqual([200])
        // Filed from the Stop hook of the adopted agent (queued while no daemon ran, replayed): its reply text.
        expect(p.footer("done", "slow").text).toBe(requests[0]!.reply)
      }),
    180_000,
  )

  it.live(
    "the tmux server killed while the daemon is down: the dedicated conversation resumed with its id, the pool task given back and run again",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 1, token: TOKEN, dedicated: [TALKED] }, [
          "ccl-pool-1",
          TALKED,
        ])
        yield* typeInto(p, TALKED, "marker-operator: remember this")
        const talked = yield* Effect.promise(() =>
          eventually(() => p.mock.promptsWith("marker-operator")[0], 30_000, p.log),
        )
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "inflight", "--text", "marker-inflight: long one [work=8000]"]),
        )
        yield* Effect.promise(() => eventually(() => p.mock.promptsWith("marker-inflight")[0], 30_000, p.log))
        yield* Effect.promise(() => p.stop("SIGTERM"))
        p.server.kill() // every agent dies with it, the in-flight turn cut short
        p.start()
        // The operator's conversation is back, under its own id; the pool session is new.
        const sessions = yield* Effect.promise(() => untilPhase(p, [TALKED], "ready"))
        expect(sessions.find((s) => s.name === TALKED)?.conversation_id).toBe(talked.session_id)
        yield* typeInto(p, TALKED, "marker-back: are you there?")
        const back = yield* Effect.promise(() =>
          eventually(() => p.mock.promptsWith("marker-back")[0], 30_000, p.log),
        )
        expect([back.status, back.session_id, back.token]).toEqual([
          200,
          talked.session_id,
          tokenOf(p.homes.main!),
        ])
        // The task in flight went back to pending/ and ran again, attempt counted, filed once.
        yield* Effect.promise(() => untilDone(p, "inflight", 60_000, explain(p, ["ccl-pool-1"])))
        expect(p.log()).toMatch(/task inflight was in active\/ with no session holding it: back to pending/)
        expect(p.footer("done", "inflight")).toMatchObject({ attempt: 2 })
        expect(p.ls("done")).toEqual(["inflight.md"])
        expect((yield* Effect.promise(() => sessionsOf(p))).length).toBe(2)
      }),
    180_000,
  )
})
