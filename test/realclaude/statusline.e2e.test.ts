// The real Claude Code 2.1.332's statusline carries the quota (issue 14 "Quota intake"): offline against
// `ccl mock-anthropic` with a usage set for the account's token (the unified rate-limit headers on every answer),
// Claude Code passes `rate_limits.five_hour` / `seven_day` to the statusLine `ccl hooks install` wrote, which spools
// it for the daemon: GET /api/accounts shows the account's 5 h / 7 d % after a turn, and a new usage after the next.

import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AccountView } from "../../src/programs/daemon/DaemonApiAccountsSpec.js"
import { eventually } from "../support/tmux.js"
import { startedProject, tokenOf } from "./realClaude.js"

const TOKEN = "realclaude-statusline"

describe("real Claude Code: statusline quota", () => {
  it.live("the mock's utilization reaches GET /api/accounts through Claude Code's statusline", () =>
    Effect.gen(function* () {
      const p = yield* startedProject({ poolSize: 1, token: TOKEN }, ["ccl-pool-1"])
      const setUsage = (five_hour: number, seven_day: number) =>
        Effect.promise(async () => {
          const body = JSON.stringify({ token: tokenOf(p.homes.main!), five_hour, seven_day })
          const res = await fetch(`${p.mock.url}/_mock/usage`, { method: "POST", body })
          expect(res.status).toBe(200)
        })
      const turn = (id: string) =>
        Effect.promise(async () => {
          const added = await p.ccl(["queue", "add", "--id", id, "--text", `say ${id}`])
          expect(added.code, added.stderr).toBe(0)
          await eventually(() => (p.ls("done").includes(`${id}.md`) ? true : undefined), 120_000, p.log)
        })
      const mainAt = (five: number) =>
        Effect.promise(() =>
          eventually(
            async () => {
              const all = (await (await p.api("/api/accounts")).json()) as ReadonlyArray<AccountView>
              const main = all.find((a) => a.name === "main")
              return main?.quota?.five_hour?.used_percentage === five ? main : undefined
            },
            60_000,
            p.log,
          ),
        )
      yield* setUsage(0.42, 0.1)
      yield* turn("q1")
      const main = yield* mainAt(42)
      expect(main.quota).toMatchObject({ seven_day: { used_percentage: 10 }, session: "ccl-pool-1" })
      expect(Date.parse(main.quota!.five_hour!.resets_at!)).toBeGreaterThan(Date.now())
      // Claude Code passes the utilization as a percent with its fraction (87.6), not rounded.
      yield* setUsage(0.876, 0.2)
      yield* turn("q2")
      expect((yield* mainAt(87.6)).quota?.seven_day?.used_percentage).toBe(20)
    }),
  )
})
