import { describe, expect, it } from "vitest"
import {
  type FailoverEvent,
  failoverLine,
  panel,
  parseStatus,
  plainUpdate,
  redraw,
  statusLine,
} from "../../src/programs/demo/DemoProgress.js"

const status = {
  pid: 42,
  started_at: "2026-11-24T10:00:00.000Z",
  account: "main",
  sessions: [
    { name: "ccl-pool-1", kind: "pool", account: "main", phase: "working", state: "busy", task: "t03" },
    { name: "ccl-pool-2", kind: "pool", account: "main", phase: "ready", state: "idle", task: null },
    { name: "ccl-demo-notes", kind: "dedicated", account: "main", phase: "ready", state: "idle", task: null },
  ],
  queue: { pending: 7, active: 1, done: 2, failed: 0, delegated: 2 },
  dispatch: { dispatched: 3, completed: 2, released: 0, failed: 0 },
  delegation: {
    enabled: true,
    counters: { submitted: 4, completed: 1, failed: 0, active: 3, retries: 0, submit_errors: 0 },
    active: [],
  },
  failover: { swapping: false },
}

const swap: FailoverEvent = {
  from: "main",
  to: "backup",
  reason: "usage limit on ccl-pool-2 (hook)",
  outcome: "swapped",
  relaunched: ["ccl-pool-1", "ccl-demo-notes"],
  left_at_shell: [],
  finished_at: "2026-11-24T10:00:05.000Z",
}

describe("parseStatus", () => {
  it("reads account, sessions, queue counts and delegation counters, ignoring unknown fields", () => {
    const s = parseStatus(status)!
    expect(s.account).toBe("main")
    expect(s.sessions[0]).toEqual({
      name: "ccl-pool-1",
      kind: "pool",
      account: "main",
      phase: "working",
      task: "t03",
    })
    expect(s.queue).toEqual({ pending: 7, active: 1, done: 2, failed: 0 })
    expect(s.delegation).toEqual({ submitted: 4, completed: 1, failed: 0, active: 3 })
  })

  it("has no delegation when it is off, and no snapshot for a body that is not a status", () => {
    expect(parseStatus({ ...status, delegation: { enabled: false } })!.delegation).toBeUndefined()
    expect(parseStatus({ error: "missing or wrong bearer token" })).toBeUndefined()
    expect(parseStatus(undefined)).toBeUndefined()
  })
})

describe("lines", () => {
  it("statusLine: counts, delegation, then each session with its task", () => {
    expect(statusLine(parseStatus(status)!)).toBe(
      "account=main pending=7 active=1 done=2 failed=0 delegated=1/4 | ccl-pool-1 working t03 | ccl-pool-2 ready | ccl-demo-notes ready",
    )
  })

  it("failoverLine: from, to, reason, outcome and the sessions relaunched", () => {
    expect(failoverLine(swap)).toBe(
      "failover main -> backup (usage limit on ccl-pool-2 (hook)): swapped, relaunched ccl-pool-1, ccl-demo-notes",
    )
    expect(failoverLine({ ...swap, relaunched: [], left_at_shell: ["ccl-demo-notes"] })).toContain(
      "relaunched none; left at the shell: ccl-demo-notes",
    )
  })

  it("panel: a row per session and the failovers; a waiting line before the daemon answers", () => {
    const lines = panel(parseStatus(status), [swap], 12_345)
    expect(lines[0]).toBe("ccl demo  12.3 s  account main")
    expect(lines.some((l) => /ccl-pool-1\s+pool\s+main\s+working\s+t03/.test(l))).toBe(true)
    expect(lines.at(-1)).toContain("failover main -> backup")
    expect(panel(undefined, [], 0)).toEqual(["ccl demo  0.0 s", "  waiting for the daemon..."])
  })

  it("redraw: moves up over what was drawn and clears it first", () => {
    expect(redraw(0, ["a", "b"])).toBe("a\nb\n")
    expect(redraw(2, ["c"])).toBe("\x1b[2A\r\x1b[Jc\n")
    expect(redraw(0, ["abcdefgh", "abc"], 6)).toBe("abcd…\nabc\n")
  })
})

describe("plainUpdate", () => {
  const at = new Date(2026, 10, 24, 12, 0, 1)
  const s = parseStatus(status)!

  it("prints a timed line when something changed, nothing when not", () => {
    const first = plainUpdate(at, s, [], { line: "", failovers: 0 })
    expect(first.lines).toEqual([`12:00:01 ${statusLine(s)}`])
    expect(plainUpdate(at, s, [], first.seen).lines).toEqual([])
  })

  it("prints each new failover once, and nothing for a snapshot the daemon did not give", () => {
    const first = plainUpdate(at, s, [], { line: "", failovers: 0 })
    const next = plainUpdate(at, undefined, [swap], first.seen)
    expect(next.lines).toEqual([`12:00:01 ${failoverLine(swap)}`])
    expect(plainUpdate(at, undefined, [swap], next.seen).lines).toEqual([])
  })
})
