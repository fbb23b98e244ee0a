import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { EXAMPLE_CONFIG } from "../../src/domain/Settings.js"
import { runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

describe("ccl init", () => {
  it("writes a commented ccl.yaml and the queue folders, and never overwrites the file", () => {
    const cwd = tempDir()
    const first = runCcl(["init", "--dir", "proj"], { cwd })
    expect(first.code).toBe(0)
    const file = path.join(cwd, "proj", "ccl.yaml")
    expect(readFileSync(file, "utf8")).toBe(EXAMPLE_CONFIG)
    expect(readdirSync(path.join(cwd, "proj", "queue")).sort()).toEqual([
      "active",
      "done",
      "failed",
      "pending",
      "tmp",
    ])
    writeFileSync(file, "queue: ./elsewhere\n")
    const second = runCcl(["init", "--dir", "proj"], { cwd })
    expect(second.code).toBe(0)
    expect(second.stdout).toContain("kept")
    expect(readFileSync(file, "utf8")).toBe("queue: ./elsewhere\n")
    expect(existsSync(path.join(cwd, "proj", "elsewhere", "pending"))).toBe(true)
  })

  it("a folder that cannot be made: one line, no spinning, no internal error (issue 11, point 16)", () => {
    const cwd = tempDir()
    // Node's recursive mkdir loops forever under /proc: runCcl's 20 s timeout would end with code null.
    const proc = runCcl(["init", "--dir", "/proc/ccl-nope"], { cwd })
    expect(proc.code).toBe(1)
    expect(proc.stderr).toMatch(/^ccl: cannot create \/proc\/ccl-nope: .*\n$/)
    writeFileSync(path.join(cwd, "afile"), "x")
    const file = runCcl(["init", "--dir", "afile/sub"], { cwd })
    expect(file).toMatchObject({
      code: 2,
      stderr: `ccl: cannot create ${path.join(cwd, "afile/sub")}: ${path.join(cwd, "afile")} is not a directory\n`,
    })
    const deep = runCcl(["init", "--dir", "a/b/c"], { cwd })
    expect(deep.code).toBe(0)
    expect(existsSync(path.join(cwd, "a", "b", "c", "ccl.yaml"))).toBe(true)
  })
})

describe("ccl queue", () => {
  it("add - with nothing on stdin: exit 2, nothing left in tmp/ or pending/ (issue 11, point 16)", () => {
    const cwd = tempDir()
    const r = runCcl(["queue", "add", "-"], { cwd, input: "" })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^ccl: task \S+ is empty \(nothing in stdin\): write the prompt\n$/)
    for (const state of ["tmp", "pending"]) {
      const dir = path.join(cwd, ".ccl", "queue", state)
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([])
    }
    expect(runCcl(["queue", "add", "--text", "  "], { cwd }).code).toBe(2)
  })

  it("add FILE / --text, list in dispatch order, show; ids and flags land in the frontmatter", () => {
    const cwd = tempDir()
    writeFileSync(
      path.join(cwd, "fix-login.md"),
      "---\npriority: 1\n# keep this comment\n---\nFix the login bug\n",
    )
    const a = runCcl(["queue", "add", "fix-login.md"], { cwd })
    expect(a).toEqual({ code: 0, stdout: "fix-login\n", stderr: "" })
    const b = runCcl(
      [
        "queue",
        "add",
        "--text",
        "Summarise the logs",
        "--id",
        "logs",
        "--priority",
        "5",
        "--preferred-ai",
        "gemini",
      ],
      {
        cwd,
      },
    )
    expect(b.stdout).toBe("logs\n")
    const c = runCcl(["queue", "add", "--json", "--needs-claude-code", "-"], { cwd, input: "From stdin\n" })
    const added = JSON.parse(c.stdout)
    expect(added.id).toMatch(/^task-\d{8}-\d{6}-[a-z0-9]{4}$/)
    expect(added.state).toBe("pending")
    expect(readFileSync(added.path, "utf8")).toBe("---\nneeds_claude_code: true\n---\nFrom stdin\n")

    const list = JSON.parse(runCcl(["queue", "list", "--json", "--state", "pending"], { cwd }).stdout)
    expect(list.map((t: { id: string }) => t.id)).toEqual(["logs", "fix-login", added.id])
    const table = runCcl(["queue", "list"], { cwd }).stdout
    expect(table.split("\n")[0]).toMatch(/^STATE\s+ID/)
    expect(table).toContain("logs")

    const show = JSON.parse(runCcl(["queue", "show", "logs", "--json"], { cwd }).stdout)
    expect(show).toMatchObject({
      id: "logs",
      state: "pending",
      frontmatter: { priority: 5, preferred_ai: "gemini" },
    })
    expect(show.text).toBe("---\npriority: 5\npreferred_ai: gemini\n---\nSummarise the logs\n")
    const plain = runCcl(["queue", "show", "fix-login"], { cwd }).stdout
    expect(plain).toContain("# keep this comment")
  })

  it("refuses a duplicate id and invalid tasks with exit 2; unknown id with exit 1", () => {
    const cwd = tempDir()
    expect(runCcl(["queue", "add", "--text", "x", "--id", "dup"], { cwd }).code).toBe(0)
    const dup = runCcl(["queue", "add", "--text", "y", "--id", "dup"], { cwd })
    expect(dup.code).toBe(2)
    expect(dup.stderr).toContain("already exists in pending/")
    writeFileSync(path.join(cwd, "bad.md"), "---\ntimeout: soon\n---\nx\n")
    const bad = runCcl(["queue", "add", "bad.md"], { cwd })
    expect(bad.code).toBe(2)
    expect(bad.stderr.trim()).toBe(
      'ccl: task bad: frontmatter field "timeout": got "soon", expected a duration such as 90m, 2h or 1h30m',
    )
    const badId = runCcl(["queue", "add", "--text", "x", "--id", "../x"], { cwd })
    expect(badId.code).toBe(2)
    expect(badId.stderr).toContain("task id")
    const both = runCcl(["queue", "add", "bad.md", "--text", "x"], { cwd })
    expect(both.code).toBe(2)
    const missing = runCcl(["queue", "show", "nope"], { cwd })
    expect(missing.code).toBe(1)
    expect(missing.stderr).toContain("task nope not found")
  })

  it("an unknown subcommand is a usage error (exit 2)", () => {
    const cwd = tempDir()
    const r = runCcl(["queue", "lst"], { cwd })
    expect(r.code).toBe(2)
    expect(runCcl(["--help"], { cwd }).code).toBe(0)
  })
})

describe("ccl queue: the task model's fields and waits (issue 13)", () => {
  it("add --depends-on/--max-attempts/--retry-backoff/--timeout land in the frontmatter; bad values are exit 2", () => {
    const cwd = tempDir()
    const added = runCcl(
      [
        "queue",
        "add",
        "--text",
        "Ship it",
        "--id",
        "ship",
        "--depends-on",
        "build, test",
        "--max-attempts",
        "5",
        "--retry-backoff",
        "1m",
        "--timeout",
        "2h",
      ],
      { cwd },
    )
    expect(added.code, added.stderr).toBe(0)
    const show = JSON.parse(runCcl(["queue", "show", "ship", "--json"], { cwd }).stdout)
    expect(show.frontmatter).toEqual({
      depends_on: ["build", "test"],
      max_attempts: 5,
      retry_backoff: 60_000,
      timeout: 7_200_000,
    })
    for (const [flag, value, field] of [
      ["--max-attempts", "0", "max_attempts"],
      ["--retry-backoff", "soon", "retry_backoff"],
      ["--depends-on", "../x", "depends_on"],
    ] as const) {
      const bad = runCcl(["queue", "add", "--text", "x", "--id", `bad-${field}`, flag, value], { cwd })
      expect(bad.code).toBe(2)
      expect(bad.stderr.trim().split("\n")).toHaveLength(1)
      expect(bad.stderr).toContain(`field "${field}"`)
      expect(existsSync(path.join(cwd, ".ccl", "queue", "pending", `bad-${field}.md`))).toBe(false)
    }
  })

  it("list says what holds each pending task back: its dependencies, its backoff, the accounts' reset", () => {
    const cwd = tempDir()
    writeFileSync(
      path.join(cwd, "ccl.yaml"),
      "queue: ./queue\nstate: ./state\naccounts: [{ name: main, home: ./home-main }]\n",
    )
    expect(runCcl(["queue", "add", "--text", "First", "--id", "first"], { cwd }).code).toBe(0)
    expect(
      runCcl(["queue", "add", "--text", "After", "--id", "after", "--depends-on", "first,later"], { cwd })
        .code,
    ).toBe(0)
    expect(runCcl(["queue", "add", "--text", "Again", "--id", "again"], { cwd }).code).toBe(0)
    const rows = () =>
      new Map(
        (
          JSON.parse(runCcl(["queue", "list", "--json"], { cwd }).stdout) as Array<{
            id: string
            waiting?: string
          }>
        ).map((r) => [r.id, r.waiting]),
      )
    expect(rows().get("after")).toBe("blocked: waits for first (pending), later (no such task yet)")
    expect(rows().get("first")).toBeUndefined()
    // What the daemon keeps: a backoff after a failed attempt, and every account spent until a reset.
    const future = (ms: number) => new Date(Date.now() + ms).toISOString()
    const retryAt = Date.now() + 600_000
    mkdirSync(path.join(cwd, "state"), { recursive: true })
    writeFileSync(
      path.join(cwd, "state", "state.json"),
      JSON.stringify({
        active_account: "main",
        attempts: { again: 1 },
        attempt_log: { again: [{ n: 1, cause: "session_dead", at: future(0) }] },
        retry_at: { again: retryAt },
        cooldowns: { main: future(3_600_000) },
      }),
    )
    const after = rows()
    expect(after.get("again")).toBe(
      `retry after ${new Date(retryAt).toISOString()} (last attempt: session_dead)`,
    )
    expect(after.get("first")).toMatch(/^waiting for reset at .* \(every account is spent\)$/)
    const table = runCcl(["queue", "list"], { cwd }).stdout
    expect(table).toContain("WAITING")
    expect(table).toMatch(/after .*blocked: waits for first \(pending\)/)
  })
})
