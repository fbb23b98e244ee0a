// Scheduling by quota with the real Claude Code 2.1.332 (issue 14): `ccl mock-anthropic` reports main at 96% of its
// 5-hour window in the unified headers of every answer; Claude Code passes it to ccl's statusLine; the daemon swaps
// to backup before any request is refused, and the next task runs there. No 429 anywhere.

import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { eventually } from "../support/tmux.js"
import { startedProject, tokenOf } from "./realClaude.js"

const TOKEN = "realclaude-quota-swap"

describe("real Claude Code: scheduling by quota", () => {
  it.live("main past swap_at_percent: swapped to backup before any 429, the next task on backup", () =>
    Effect.gen(function* () {
      const p = yield* startedProject({ poolSize: 1, token: TOKEN, accounts: ["main", "backup"] }, [
        "ccl-pool-1",
      ])
      const usage = (token: string, five_hour: number) =>
        Effect.promise(async () => {
          const body = JSON.stringify({ token, five_hour, seven_day: 0.2 })
          const res = await fetch(`${p.mock.url}/_mock/usage`, { method: "POST", body })
          expect(res.status).toBe(200)
        })
      const done = (id: string) =>
        Effect.promise(() =>
          eventually(() => (p.ls("done").includes(`${id}.md`) ? true : undefined), 120_000, p.log),
        )
      yield* usage(tokenOf(p.homes.main!), 0.96)
      yield* usage(tokenOf(p.homes.backup!), 0.1)
      // The first turn on main tells Claude Code (and through its statusline, ccl) how used main is.
      yield* Effect.promise(() => p.ccl(["queue", "add", "--id", "first", "--text", "say first"]))
      yield* done("first")
      expect(p.footer("done", "first")).toMatchObject({ account: "main" })
      const history = () =>
        JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8")).history as ReadonlyArray<{
          from: string
          to: string
          outcome: string
          reason: string
        }>
      const swap = yield* Effect.promise(() =>
        eventually(() => history().find((h) => h.outcome === "swapped"), 60_000, p.log),
      )
      expect(swap).toMatchObject({ from: "main", to: "backup" })
      expect(swap.reason).toBe("quota: main five_hour at 96% >= swap_at_percent 95")
      yield* Effect.promise(() => p.ccl(["queue", "add", "--id", "second", "--text", "say second"]))
      yield* done("second")
      expect(p.footer("done", "second")).toMatchObject({ account: "backup", attempt: 1 })
      // Nothing was ever refused: the swap came before the wall.
      expect(p.mock.messages().filter((r) => r.status === 429)).toEqual([])
      expect(p.mock.promptsWith("say second").map((r) => r.token)).toEqual([tokenOf(p.homes.backup!)])
    }),
  )
})
