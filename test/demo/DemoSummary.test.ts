import { describe, expect, it } from "vitest"
import type { ResultFooter } from "../../src/domain/ResultFooter.js"
import type { FailoverEvent } from "../../src/programs/demo/DemoProgress.js"
import {
  byRoute,
  resumedLine,
  type SummaryInput,
  summaryLines,
  summaryProblems,
} from "../../src/programs/demo/DemoSummary.js"

const local = (id: string, account: string, session: string) => ({
  id,
  footer: {
    status: "completed",
    route: "local",
    provider: "claude-code",
    account,
    session,
    attempt: 1,
    finished_at: "2026-11-24T10:00:00Z",
  } satisfies ResultFooter,
})
const delegated = (id: string, provider: string, cost: number) => ({
  id,
  footer: {
    status: "completed",
    route: "delegated",
    provider,
    job_id: `job-${id}`,
    cost_usd: cost,
    finished_at: "2026-11-24T10:00:00Z",
  } satisfies ResultFooter,
})

const swap: FailoverEvent = {
  from: "main",
  to: "backup",
  reason: "usage limit on ccl-pool-2 (hook)",
  outcome: "swapped",
  relaunched: ["ccl-pool-1", "ccl-pool-2", "ccl-pool-3", "ccl-demo-notes"],
  left_at_shell: [],
  finished_at: "2026-11-24T10:00:05Z",
}

const RESUMED = "Resumed conversation 0a0c-1 (2 messages) under /tmp/d/home-backup"

const input: SummaryInput = {
  done: [
    local("t01", "main", "ccl-pool-1"),
    delegated("t02", "gpu", 0.0205),
    local("t07", "backup", "ccl-pool-2"),
    delegated("t05", "gemini", 0.0021),
    delegated("t11", "gpu", 0.0203),
  ],
  expected: 5,
  failovers: [swap],
  dedicated: { name: "ccl-demo-notes", resumed: RESUMED, account: "backup" },
  elapsedMs: 41_230,
  dir: "/tmp/d",
  kept: false,
  socket: "ccl-demo-42",
  ccl: "/usr/bin/node /x/dist/ccl.mjs",
}

describe("resumedLine", () => {
  it("finds the resumed line naming the home, not one naming another home", () => {
    const pane = `$ CLAUDE_CONFIG_DIR=/tmp/d/home-backup node ccl.mjs sim-agent --resume 0a0c-1\n${RESUMED}\n\n? for shortcuts\n`
    expect(resumedLine(pane, "/tmp/d/home-backup")).toBe(RESUMED)
    expect(resumedLine(pane, "/tmp/d/home-main")).toBeUndefined()
    expect(resumedLine("? for shortcuts", "/tmp/d/home-backup")).toBeUndefined()
  })
})

describe("byRoute", () => {
  it("counts tasks and sums cost per route and provider", () => {
    expect(byRoute(input.done)).toEqual([
      { route: "delegated", provider: "gemini", tasks: 1, cost: 0.0021 },
      { route: "delegated", provider: "gpu", tasks: 2, cost: 0.0205 + 0.0203 },
      { route: "local", provider: "claude-code", tasks: 2, cost: 0 },
    ])
  })
})

describe("summaryLines", () => {
  const text = summaryLines(input).join("\n")

  it("names the tasks done, the providers and the delegated cost", () => {
    expect(text).toContain("ccl demo: 5/5 tasks done in 41.2 s")
    expect(text).toMatch(/delegated\s+gpu\s+2\s+\$0\.0408/)
    expect(text).toContain("delegated: 3 tasks to gemini, gpu, total cost $0.0429")
  })

  it("names the failover, the account of each local task and the dedicated session's resume", () => {
    expect(text).toContain(
      "failover: main -> backup (usage limit on ccl-pool-2 (hook)), 4 sessions relaunched: ccl-pool-1, ccl-pool-2, ccl-pool-3, ccl-demo-notes",
    )
    expect(text).toContain("local tasks by account: main 1, backup 1")
    expect(text).toMatch(/t07\s+backup\s+ccl-pool-2/)
    expect(text).toContain(`dedicated: ccl-demo-notes resumed under backup: ${RESUMED}`)
  })

  it("says where the files are: removed, or kept with how to run the pool again", () => {
    expect(text).toContain("files: /tmp/d was removed")
    expect(text).toContain("tmux: the server on socket ccl-demo-42 was stopped")
    const kept = summaryLines({ ...input, kept: true }).join("\n")
    expect(kept).toContain("files: kept in /tmp/d")
    expect(kept).toContain("/usr/bin/node /x/dist/ccl.mjs daemon --config /tmp/d/ccl.yaml")
    expect(kept).toContain("tmux -L ccl-demo-42 attach -t ccl-pool-1")
  })
})

describe("summaryProblems", () => {
  it("is empty when everything was shown", () => {
    expect(summaryProblems(input)).toEqual([])
  })

  it("names missing tasks, footers, failover and resume", () => {
    const problems = summaryProblems({
      ...input,
      expected: 6,
      done: [...input.done, { id: "t99", footer: undefined }].slice(1),
      failovers: [{ ...swap, outcome: "refused" }],
      dedicated: { ...input.dedicated, resumed: undefined },
    })
    expect(problems).toEqual([
      "5 of 6 tasks are in done/",
      "no result footer in done/ for t99",
      "no failover happened",
      "the dedicated session ccl-demo-notes did not show its conversation resumed under backup",
    ])
  })
})
