import { describe, expect, it } from "@effect/vitest"
import { formatAge, renderStatusTable, type StatusTableInput } from "../../src/domain/StatusTable.js"

const NOW = Date.parse("2026-11-24T10:00:00.000Z")
const ago = (ms: number) => new Date(NOW - ms).toISOString()

const live: StatusTableInput = {
  pid: 4242,
  started_at: ago(3_600_000 + 5 * 60_000),
  account: "main",
  sessions: [
    {
      name: "ccl-pool-1",
      account: "main",
      phase: "working",
      state: "busy",
      task: "refactor-config",
      since: ago(3 * 60_000 + 12_000),
    },
    { name: "ccl-1-notes", account: "main", phase: "ready", state: "idle", task: null, since: ago(45_000) },
    {
      name: "ccl-pool-2",
      account: null,
      phase: "shell",
      state: "unknown",
      task: null,
      since: ago(2_000),
      needs_operator: "dialog: Enter to confirm",
    },
  ],
  // In another order than shown: the table shows them as a task moves.
  queue: { delegated: 1, failed: 0, pending: 2, active: 1, done: 7 },
  failover: { paused_until: null, cooldowns: { backup: new Date(NOW + 42 * 60_000).toISOString() } },
}

const options = {
  now: NOW,
  color: false,
  live: true,
  address: "127.0.0.1:4500",
  accounts: ["main", "backup"],
}

describe("formatAge", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [45_000, "45s"],
    [3 * 60_000 + 12_000, "3m12s"],
    [60 * 60_000 + 5 * 60_000 + 30_000, "1h05m"],
    [2 * 86_400_000 + 3 * 3_600_000, "2d03h"],
    [-5_000, "0s"],
  ])("%d ms is %s", (ms, text) => expect(formatAge(ms)).toBe(text))
})

describe("renderStatusTable", () => {
  it("shows the daemon, queue counts, accounts with cooldowns, and a row per session with its age", () => {
    const text = renderStatusTable(live, options)
    const lines = text.split("\n")
    expect(lines[0]).toBe("daemon pid 4242, account main, up 1h05m")
    expect(lines[1]).toBe("queue: pending 2, active 1, done 7, failed 0, delegated 1")
    expect(lines[2]).toBe(
      `accounts: main (active), backup (cooling down 42m00s, until ${new Date(NOW + 42 * 60_000).toISOString()})`,
    )
    expect(lines[3]).toMatch(/^SESSION\s+ACCOUNT\s+PHASE\s+STATE\s+TASK\s+SINCE$/)
    expect(lines[4]).toMatch(/^ccl-pool-1\s+main\s+working\s+busy\s+refactor-config\s+3m12s$/)
    expect(lines[5]).toMatch(/^ccl-1-notes\s+main\s+ready\s+idle\s+-\s+45s$/)
    expect(lines[6]).toMatch(/^ccl-pool-2\s+-\s+shell\s+unknown\s+-\s+2s$/)
    expect(lines[7]).toBe("ccl-pool-2 needs the operator: dialog: Enter to confirm")
    // Columns line up: every row's PHASE starts where the header's does.
    const at = lines[3]!.indexOf("PHASE")
    for (const row of lines.slice(4, 7)) expect(row.slice(at).split(/\s+/)[0]).toMatch(/working|ready|shell/)
  })

  it("shows each account's known 5 h / 7 d quota beside it (issue 14), whole percents, unknown windows left out", () => {
    const quotas = {
      main: { five_hour: { used_percentage: 87.6 }, seven_day: { used_percentage: 10 } },
      backup: { five_hour: null, seven_day: { used_percentage: 100 } },
    }
    const lines = renderStatusTable(live, { ...options, quotas }).split("\n")
    expect(lines[2]).toBe(
      `accounts: main (active, 5h 87% 7d 10%), backup (7d 100%, cooling down 42m00s, until ${new Date(NOW + 42 * 60_000).toISOString()})`,
    )
  })

  it("has no ANSI escapes and no blank line without colour (a pipe separates refreshes with one)", () => {
    const text = renderStatusTable(live, options)
    expect(text).not.toContain("\x1b")
    expect(text.split("\n")).not.toContain("")
  })

  it("colours the header, phases and cooldowns when asked, with the same text underneath", () => {
    const coloured = renderStatusTable(live, { ...options, color: true })
    expect(coloured).toContain("\x1b[")
    expect(coloured.replace(/\x1b\[[0-9;]*m/g, "")).toBe(renderStatusTable(live, options))
  })

  it("a cooldown in the past, a dispatcher paused until a time or by the operator", () => {
    const text = renderStatusTable(
      { ...live, failover: { paused_until: "2026-11-24T10:05:00.000Z", cooldowns: { backup: ago(1000) } } },
      options,
    )
    expect(text).toContain("accounts: main (active), backup\n")
    expect(text).toContain("dispatching paused until 2026-11-24T10:05:00.000Z")
    const held = renderStatusTable(
      { ...live, failover: { paused_until: null, cooldowns: {}, paused_by_operator: true } },
      options,
    )
    expect(held).toContain("dispatching paused by the operator (ccl failover resume)")
  })

  it("the disk view while the daemon is down: where it was asked, no sessions known", () => {
    const text = renderStatusTable(
      { account: "backup", sessions: [], queue: { pending: 1 }, failover: null },
      { ...options, live: false },
    )
    expect(text.split("\n")).toEqual([
      "no daemon answers on 127.0.0.1:4500 (from disk), account backup",
      "queue: pending 1",
      "accounts: main, backup (active)",
      "sessions: unknown while the daemon is down",
    ])
  })

  it("a shared queue's nodes: which node holds which task, its heartbeat and busy sessions", () => {
    const nodes = [
      {
        name: "build-1",
        pid: 4242,
        heartbeat_age_ms: 1_200,
        sessions: [
          { name: "ccl-pool-1", task: "refactor-config" },
          { name: "ccl-pool-2", task: null },
        ],
        active_account: "main",
        tasks: ["refactor-config"],
      },
      { name: "build-2", pid: 77, heartbeat_age_ms: 95_000, sessions: [], active_account: null, tasks: [] },
    ]
    const lines = renderStatusTable({ ...live, nodes }, options).split("\n")
    expect(lines[3]).toMatch(/^NODE\s+PID\s+HEARTBEAT\s+ACCOUNT\s+SESSIONS\s+TASKS$/)
    expect(lines[4]).toMatch(/^build-1\s+4242\s+1s ago\s+main\s+1\/2 busy\s+refactor-config$/)
    expect(lines[5]).toMatch(/^build-2\s+77\s+1m35s ago\s+-\s+0\/0 busy\s+-$/)
    expect(lines[6]).toMatch(/^SESSION\s+/)
    expect(renderStatusTable({ ...live, nodes: [] }, options)).toBe(renderStatusTable(live, options))
  })
})
