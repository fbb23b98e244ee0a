// Quota intake end to end (issue 14): the simulated agents run the statusLine `ccl hooks install` wrote, with the
// rate_limits of their home's QUOTA file; the daemon keeps them per account and shows them in GET /api/accounts,
// `ccl accounts list` and `ccl status`; a new QUOTA shows after the next turn. Real tmux (private socket), the
// simulated agent, the daemon and the CLI as child processes.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { AccountView } from "../../src/programs/daemon/DaemonApiAccountsSpec.js"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "quota-e2e"

describe("quota intake (real tmux, simulated agent)", () => {
  it.live(
    "the account's 5 h / 7 d % reach the API, accounts list and status, and follow the QUOTA file",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 1,
            workMs: 200,
            token: TOKEN,
            accounts: ["main", "backup"],
            prepareHome: (home) => {
              if (path.basename(home) === "home-main")
                writeFileSync(path.join(home, "QUOTA"), JSON.stringify({ five_hour: 42, seven_day: 10.5 }))
            },
          }),
        )
        const accounts = async () => {
          try {
            return (await (await p.api("/api/accounts")).json()) as ReadonlyArray<AccountView>
          } catch {
            return []
          }
        }
        const mainQuota = (five: number) =>
          eventually(
            async () => {
              const main = (await accounts()).find((a) => a.name === "main")
              return main?.quota?.five_hour?.used_percentage === five ? main : undefined
            },
            60_000,
            p.log,
          )
        p.start()
        // The agent's statusline at start already reports the home's usage.
        const main = yield* Effect.promise(() => mainQuota(42))
        expect(main).toMatchObject({
          name: "main",
          home: p.homes.main,
          active: true,
          cooldown_until: null,
          quota: {
            five_hour: { used_percentage: 42 },
            seven_day: { used_percentage: 10.5 },
            session: "ccl-pool-1",
          },
        })
        expect(Date.parse(main.quota!.five_hour!.resets_at!)).toBeGreaterThan(Date.now())
        const all = yield* Effect.promise(accounts)
        expect(all.map((a) => [a.name, a.quota])).toEqual([
          ["main", main.quota],
          ["backup", null],
        ])
        const listed = yield* Effect.promise(() => p.ccl(["accounts", "list", "--json"]))
        expect(listed.code, listed.stderr).toBe(0)
        expect(JSON.parse(listed.stdout)[0]).toMatchObject({
          name: "main",
          quota: { five_hour: { used_percentage: 42 }, seven_day: { used_percentage: 10.5 } },
        })
        const table = yield* Effect.promise(() => p.ccl(["accounts", "list"]))
        expect(table.stdout).toMatch(/\*\s+main\s+\S+\s+42%\s+10%\s+-/)
        expect(table.stdout).toMatch(/\n\s+backup\s+\S+\s+-\s+-\s+-/)
        const status = yield* Effect.promise(() => p.ccl(["status"]))
        expect(status.stdout).toContain("accounts: main (active, 5h 42% 7d 10%), backup")
        // A new usage: the next turn's statusline carries it.
        writeFileSync(path.join(p.homes.main!, "QUOTA"), JSON.stringify({ five_hour: 77, seven_day: 12 }))
        const added = yield* Effect.promise(() =>
          p.ccl(["queue", "add", "--id", "t1", "--text", "Do a turn"]),
        )
        expect(added.code, added.stderr).toBe(0)
        yield* Effect.promise(() =>
          eventually(() => (p.ls("done").includes("t1.md") ? true : undefined), 60_000, p.log),
        )
        const after = yield* Effect.promise(() => mainQuota(77))
        expect(after.quota?.seven_day?.used_percentage).toBe(12)
        expect((yield* Effect.promise(() => p.ccl(["status"]))).stdout).toContain(
          "main (active, 5h 77% 7d 12%)",
        )
      }),
  )
})
