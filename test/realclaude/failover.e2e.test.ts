// The account is exhausted mid-task with the real Claude Code 2.1.332: ccl fails over to the backup account, the
// operator's dedicated conversation is resumed there with its own id, the never-prompted dedicated session starts
// fresh, the pool task continues and is filed once with `account: backup`, and dispatching goes on.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import { explain, startedProject, tokenOf, typeInto, untilDone, untilPhase } from "./realClaude.js"

const TOKEN = "realclaude-failover"
const TALKED = "ccl-1-talked"
const SILENT = "ccl-2-silent"
const ALL = ["ccl-pool-1", "ccl-pool-2", TALKED, SILENT]

interface SwapSession {
  readonly name: string
  readonly how: string
  readonly id: string | null
  readonly why?: string
  readonly verified: boolean | null
}

describe("real Claude Code: failover", () => {
  it.live(
    "main exhausted mid-task: every session on backup, conversations resumed with their ids, the task filed once, dispatching not paused",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject(
          { poolSize: 2, token: TOKEN, accounts: ["main", "backup"], dedicated: [TALKED, SILENT] },
          ALL,
        )
        const failoverStatus = async () =>
          JSON.parse((await p.ccl(["failover", "status", "--json"])).stdout) as {
            history: ReadonlyArray<{
              outcome: string
              from: string
              to: string
              sessions?: ReadonlyArray<SwapSession>
            }>
            paused_until: string | null
          }
        // The operator talks to one dedicated session; the other is never prompted.
        yield* typeInto(p, TALKED, "marker-operator: hello from the operator")
        const first = yield* Effect.promise(() =>
          eventually(() => p.mock.promptsWith("marker-operator")[0], 30_000, p.log),
        )
        expect(first.token).toBe(tokenOf(p.homes.main!))
        const talkedId = first.session_id!

        // main is spent from now on; the next task's turn hits the limit.
        yield* Effect.promise(() => p.mock.limit({ on: true, token: "home-main" }))
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "limited", "--text", "marker-limited: port the parser"]),
        )
        yield* Effect.promise(() => untilDone(p, "limited", 60_000, explain(p, ALL)))
        const footer = p.footer("done", "limited")
        expect(footer, p.log()).toMatchObject({ status: "completed", account: "backup", attempt: 1 })
        expect(p.ls("done")).toEqual(["limited.md"])

        // The turn: one 429 under main, then ccl's continue prompt in the same conversation under backup.
        const hit = p.mock.promptsWith("marker-limited")
        expect(hit.map((r) => [r.status, r.token])).toEqual([[429, tokenOf(p.homes.main!)]])
        const resumed = p.mock.promptsWith("[ccl task limited]")
        expect(resumed.map((r) => [r.status, r.token, r.session_id])).toEqual([
          [200, tokenOf(p.homes.backup!), hit[0]!.session_id],
        ])
        expect(footer.text).toBe(resumed[0]!.reply)

        // The swap, per session: resumed with its own id, or fresh when it never had a conversation; verified.
        const swap = yield* Effect.promise(() =>
          eventually(
            async () => {
              const last = (await failoverStatus()).history.at(-1)
              return last?.sessions?.every((s) => s.verified !== null) ? last : undefined
            },
            60_000,
            p.log,
          ),
        )
        expect(swap).toMatchObject({ outcome: "swapped", from: "main", to: "backup" })
        const how = new Map(swap.sessions!.map((s) => [s.name, s]))
        expect(how.get(TALKED)).toMatchObject({ how: "resumed", id: talkedId, verified: true })
        expect(how.get(SILENT)).toMatchObject({ how: "fresh", verified: true })
        expect(how.get(SILENT)!.why).toContain("no transcript")
        expect(how.get(SILENT)!.id).not.toBe(talkedId)
        expect(p.server.tmux("capture-pane", "-p", "-t", `=${SILENT}:`)).not.toContain(
          "No conversation found",
        )
        const pool = swap.sessions!.find((s) => s.name === footer.session)
        expect(pool).toMatchObject({ how: "resumed", id: hit[0]!.session_id, verified: true })

        const text = (yield* Effect.promise(() => p.ccl(["failover", "status"]))).stdout
        expect(text).toContain(`${TALKED}: resumed ${talkedId}, verified`)
        expect(text).toMatch(
          new RegExp(
            `${SILENT}: fresh [0-9a-f-]{36} \\(conversation [0-9a-f-]{36} has no transcript \\(never prompted\\)\\), verified`,
          ),
        )

        // The operator's conversation goes on under backup, with its own id.
        yield* Effect.promise(() => untilPhase(p, [TALKED], "ready"))
        yield* typeInto(p, TALKED, "marker-again: still there?")
        const again = yield* Effect.promise(() =>
          eventually(() => p.mock.promptsWith("marker-again")[0], 30_000, p.log),
        )
        expect([again.status, again.token, again.session_id]).toEqual([
          200,
          tokenOf(p.homes.backup!),
          talkedId,
        ])

        // Dispatching was not paused by the resumed conversation's old limit lines.
        expect((yield* Effect.promise(failoverStatus)).paused_until).toBeNull()
        yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "after", "--text", "marker-after: next task"]),
        )
        yield* Effect.promise(() => untilDone(p, "after", 60_000, p.log))
        expect(p.footer("done", "after")).toMatchObject({ account: "backup" })
        expect(p.log()).not.toMatch(/every account is cooling down/)
      }),
    300_000,
  )
})
