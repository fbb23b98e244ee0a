// The quota-aware fleet end to end (issue 14): with every account spent, sessions start again spread out (the first
// turn checked before the rest), and tasks that allow it go to secutools meanwhile. Real tmux (private socket),
// the simulated agent with hooks, the mock secutools over HTTP, the daemon and the CLI as child processes.

import { readFileSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { continuePrompt } from "../../src/domain/LaunchCommand.js"
import { startMockSecutools } from "../../src/programs/MockSecutools.js"
import { daemonProject } from "../support/daemonProject.js"
import { addTaskFile, type Project, waitUntil } from "../support/projectTasks.js"
import { parseExposition, seriesKey } from "../support/prometheus.js"
import { eventually } from "../support/tmux.js"
import { webhookReceiver } from "../support/webhookReceiver.js"

const TOKEN = "quota-e2e"
const KEY = "sk-quota-e2e"

const add = addTaskFile

const waitFor = waitUntil

const spent = (p: Project) => {
  try {
    return (
      JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8")).cooldowns?.main !== undefined
    )
  } catch {
    return false
  }
}

/** The time of each plain log line that matches `re` (the daemon's stdout: `<ISO> LEVEL message`). */
const logTimes = (p: Project, re: RegExp) =>
  p
    .log()
    .split("\n")
    .filter((l) => re.test(l))
    .map((l) => Date.parse(l.split(" ")[0]!))

const stateOf = (p: Project) => JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8"))

/** Each account home's QUOTA file: what its simulated agents report through the statusline. */
const quotas = (byAccount: Record<string, { five_hour: number; seven_day: number }>) => (home: string) => {
  const account = path.basename(home).replace(/^home-/, "")
  if (byAccount[account] !== undefined)
    writeFileSync(path.join(home, "QUOTA"), JSON.stringify(byAccount[account]))
}

describe("quota-aware fleet (real tmux, simulated agent)", () => {
  it.live(
    "past swap_at_percent, the daemon swaps accounts before any limit is hit; the task runs on the other",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 1,
            workMs: 300,
            token: TOKEN,
            accounts: ["main", "backup"],
            prepareHome: quotas({
              main: { five_hour: 96, seven_day: 20 },
              backup: { five_hour: 10, seven_day: 5 },
            }),
          }),
        )
        p.start()
        yield* waitFor(p, () => {
          try {
            return stateOf(p).history.some((h: { outcome: string }) => h.outcome === "swapped")
          } catch {
            return false
          }
        })
        const swap = stateOf(p).history.at(-1)
        expect(swap).toMatchObject({ from: "main", to: "backup", outcome: "swapped" })
        expect(swap.reason).toBe("quota: main five_hour at 96% >= swap_at_percent 95")
        // main rests until its window resets (about 5 h from the QUOTA file's time), not the default cooldown.
        expect(Date.parse(stateOf(p).cooldowns.main)).toBeGreaterThan(Date.now() + 4 * 3600_000)
        yield* Effect.promise(() => add(p, "after", "Runs on the account with room\n"))
        yield* waitFor(p, () => p.ls("done").includes("after.md"))
        expect(p.footer("done", "after")).toMatchObject({ account: "backup", attempt: 1 })
        expect(p.log()).not.toContain("hit the usage limit")
        yield* Effect.promise(() => p.stop())
      }),
    120_000,
  )

  it.live(
    "past stop_new_tasks_at_percent, no new task starts on the account: with one waiting, it swaps first",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 1,
            workMs: 300,
            token: TOKEN,
            accounts: ["main", "backup"],
            prepareHome: quotas({
              main: { five_hour: 92, seven_day: 20 },
              backup: { five_hour: 10, seven_day: 5 },
            }),
          }),
        )
        p.start()
        // The daemon knows main at 92%: below the swap threshold, with nothing waiting it stays.
        yield* Effect.promise(() =>
          eventually(
            async () => {
              const r = await p.api("/api/accounts").catch(() => undefined)
              const accounts = r?.ok
                ? ((await r.json()) as Array<{
                    name: string
                    quota: { five_hour?: { used_percentage: number } } | null
                  }>)
                : []
              return accounts.find((a) => a.name === "main")?.quota?.five_hour?.used_percentage === 92
                ? true
                : undefined
            },
            30_000,
            p.log,
          ),
        )
        yield* Effect.sleep("1500 millis")
        expect(stateOf(p).active_account ?? "main").toBe("main")
        expect(stateOf(p).history).toEqual([])
        // A task arrives: it is not started on main; the daemon swaps, and it runs on backup.
        yield* Effect.promise(() => add(p, "held", "Not on a spent account\n"))
        yield* waitFor(p, () => p.ls("done").includes("held.md"))
        expect(p.footer("done", "held")).toMatchObject({ account: "backup", attempt: 1 })
        expect(stateOf(p).history.at(-1).reason).toBe(
          "quota: main five_hour at 92% >= stop_new_tasks_at_percent 90, tasks waiting, backup has room",
        )
        expect(p.log()).not.toMatch(
          /task held dispatched to ccl-pool-1[^\n]*\n[\s\S]*failover main -> backup/,
        )
        yield* Effect.promise(() => p.stop())
      }),
    120_000,
  )

  it.live(
    "every account spent until a reset seconds away: at that reset the sessions start again one at a time",
    () =>
      Effect.gen(function* () {
        // main's 5-hour window resets 25 s from now (its statusline says so to the second; its limit line, to the
        // minute).
        const resetAt = Math.floor((Date.now() + 25_000) / 1000)
        const receiver = yield* Effect.promise(() => webhookReceiver())
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 3,
            workMs: 2_000,
            token: TOKEN,
            yaml: [
              "accounts_policy: { resume_spread: 3s }",
              "notify:",
              `  - { url: "${receiver.url("/ops")}", events: [limit_hit, all_exhausted, resumed_at_reset] }`,
            ],
            prepareHome: (home) => {
              writeFileSync(
                path.join(home, "QUOTA"),
                JSON.stringify({ five_hour: { used_percentage: 99, resets_at: resetAt }, seven_day: 10 }),
              )
              // Spent from the first request on, until the test takes this away (before the reset).
              writeFileSync(path.join(home, "LIMIT"), "")
            },
          }),
        )
        const ids = ["reset-1", "reset-2", "reset-3"]
        p.start()
        // The sessions' statuslines have told the daemon main's window (at start, as Claude Code's do).
        yield* Effect.promise(() =>
          eventually(
            async () => {
              const r = await p.api("/api/accounts").catch(() => undefined)
              const all = r?.ok ? ((await r.json()) as Array<{ name: string; quota: unknown }>) : []
              return all.find((a) => a.name === "main")?.quota ? true : undefined
            },
            30_000,
            p.log,
          ),
        )
        yield* Effect.promise(async () => {
          for (const id of ids) await add(p, id, `Work through ${id}\n`)
        })
        yield* waitFor(p, () => spent(p))
        // The cooldown is the window's reset to the second, not the limit line's minute.
        expect(Date.parse(stateOf(p).cooldowns.main)).toBe(resetAt * 1000)
        rmSync(path.join(p.homes.main!, "LIMIT"))
        yield* waitFor(p, () => ids.every((id) => p.ls("done").includes(`${id}.md`)), 90_000)
        // Each task sent once; a limited one continued once after the reset.
        for (const id of ids) {
          expect(p.prompts().filter((t) => t.startsWith(`[ccl task ${id}:`))).toHaveLength(1)
          expect(p.prompts().filter((t) => t === continuePrompt(id)).length).toBeLessThanOrEqual(1)
        }
        const [begun] = logTimes(p, /reset wave: 3 sessions start again one every 1000 ms/)
        const starts = logTimes(p, /reset wave: ccl-pool-\d starts \(\d of 3\)/)
        // The wave begins at the reset itself, and its sessions start a step apart (a session already started
        // takes its next task at once).
        expect(begun, p.log()).toBeGreaterThanOrEqual(resetAt * 1000)
        expect(starts.length, p.log()).toBeGreaterThanOrEqual(2)
        for (let k = 1; k < starts.length; k++)
          expect(starts[k]! - starts[k - 1]!).toBeGreaterThanOrEqual(1000)
        for (const id of ids) expect(p.footer("done", id)).toMatchObject({ attempt: 1 })
        // The operator heard of it once each: the limit, every account spent, the reset's restart.
        yield* Effect.promise(() =>
          eventually(
            () => (receiver.events("/ops", "resumed_at_reset").length > 0 ? true : undefined),
            10_000,
            p.log,
          ),
        )
        for (const event of ["limit_hit", "all_exhausted", "resumed_at_reset"])
          expect(
            receiver.events("/ops", event),
            `${event}: ${JSON.stringify(receiver.received.map((r) => r.body))}`,
          ).toHaveLength(1)
        expect(receiver.events("/ops", "limit_hit")[0]).toMatchObject({ event: "limit_hit", account: "main" })
        yield* Effect.promise(() => p.stop())
      }),
    120_000,
  )

  it.live(
    "brought forward by the operator (failover clear), the reset starts the sessions again one at a time",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 3,
            workMs: 2_000,
            token: TOKEN,
            yaml: ["accounts_policy: { resume_spread: 3s }"],
            // Spent from the first request on, until the test takes this away.
            prepareHome: (home) => writeFileSync(path.join(home, "LIMIT"), ""),
          }),
        )
        const ids = ["wave-1", "wave-2", "wave-3"]
        yield* Effect.promise(async () => {
          for (const id of ids) await add(p, id, `Work through ${id}\n`)
        })
        p.start()
        // The only account is spent: the tasks that went out are limited, the rest wait in pending/.
        yield* waitFor(p, () => spent(p))
        rmSync(path.join(p.homes.main!, "LIMIT"))
        const cleared = yield* Effect.promise(() => p.ccl(["failover", "clear"]))
        expect(cleared.code, cleared.stderr + cleared.stdout).toBe(0)
        expect(cleared.stdout).toContain("dispatching resumed")
        yield* waitFor(p, () => ids.every((id) => p.ls("done").includes(`${id}.md`)))
        for (const id of ids) {
          expect(p.prompts().filter((t) => t.startsWith(`[ccl task ${id}:`))).toHaveLength(1)
          expect(p.prompts().filter((t) => t === continuePrompt(id)).length).toBeLessThanOrEqual(1)
          expect(p.footer("done", id)).toMatchObject({ attempt: 1 })
        }
        const [begun] = logTimes(p, /reset wave: 3 sessions start again one every 1000 ms/)
        const starts = logTimes(p, /reset wave: ccl-pool-\d starts \(\d of 3\)/)
        expect(begun, p.log()).toBeDefined()
        expect(starts.length, p.log()).toBeGreaterThanOrEqual(2)
        // Consecutive starts a step apart at least (the first may come late: its agent relaunches first).
        for (let k = 1; k < starts.length; k++)
          expect(starts[k]! - starts[k - 1]!).toBeGreaterThanOrEqual(1000)
        expect(starts[0]!).toBeGreaterThanOrEqual(begun!)
        yield* Effect.promise(() => p.stop())
      }),
    120_000,
  )

  it.live(
    "while every account is spent, tasks that allow delegation go to secutools; the others wait",
    () =>
      Effect.scoped(
        Effect.gen(function* () {
          const secutools = yield* startMockSecutools({ key: KEY, jobMs: 200 })
          const p = yield* Effect.promise(() =>
            daemonProject({
              poolSize: 1,
              workMs: 300,
              token: TOKEN,
              secutools: secutools.url,
              secutoolsKey: KEY,
              yaml: [],
            }),
          )
          // delegation: { url, poll } comes from daemonProject; the fallback keys go in the same mapping.
          const yamlPath = path.join(p.dir, "ccl.yaml")
          writeFileSync(
            yamlPath,
            readFileSync(yamlPath, "utf8").replace(
              /delegation: \{ url: ([^,]+), poll: 200ms \}/,
              "delegation: { url: $1, poll: 200ms, fallback_on_exhausted: true, fallback_provider: gemini }",
            ),
          )
          expect(readFileSync(yamlPath, "utf8")).toContain("fallback_on_exhausted: true")
          yield* Effect.promise(() => add(p, "limited", "Port the parser [limit]\n"))
          p.start()
          yield* waitFor(p, () => spent(p))
          yield* Effect.promise(async () => {
            await add(p, "plain", "Summarise the logs\n")
            await add(p, "hinted", "---\ncomplexity_hint: low\n---\nCount the lines\n")
            await add(p, "mine", "---\nneeds_claude_code: true\n---\nOnly Claude Code can\n")
          })
          yield* waitFor(p, () => ["plain.md", "hinted.md"].every((f) => p.ls("done").includes(f)))
          expect(p.footer("done", "plain")).toMatchObject({
            route: "delegated",
            fallback: "accounts exhausted",
            provider: "gemini",
          })
          expect(p.footer("done", "hinted")).toMatchObject({
            route: "delegated",
            fallback: "accounts exhausted",
            provider: "gpu",
          })
          expect(readFileSync(path.join(p.dir, "queue", "done", "plain.md"), "utf8")).toContain(
            "- route: delegated (fallback: accounts exhausted)",
          )
          // Counted as delegated completions, by provider (the reaper's filings reach the daemon's events).
          const metrics = parseExposition(yield* Effect.promise(async () => (await p.api("/metrics")).text()))
          for (const provider of ["gemini", "gpu"])
            expect(
              metrics.values.get(
                seriesKey("ccl_tasks_completed_total", { account: "", provider, route: "delegated" }),
              ),
            ).toBe(1)
          // needs_claude_code waits for an account, never sent anywhere.
          expect(p.ls("pending")).toContain("mine.md")
          expect(p.prompts().some((t) => t.startsWith("[ccl task mine:"))).toBe(false)
          yield* Effect.promise(() => p.stop())
        }),
      ),
    120_000,
  )
})
