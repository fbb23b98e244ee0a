import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const KEY = { SECUTOOLS_API_KEY: "sk-test" }

describe("ccl decide (built CLI)", () => {
  it("prints local without SECUTOOLS_API_KEY and the provider with it", () => {
    const cwd = tempDir()
    const off = runCcl(["decide", "--field", "preferred_ai=gemini"], { cwd })
    expect(off).toEqual({ code: 0, stdout: "local\n", stderr: "" })
    const on = runCcl(["decide", "--field", "preferred_ai=gemini"], { cwd, env: KEY })
    expect(on).toEqual({ code: 0, stdout: "gemini\n", stderr: "" })
  })

  it("routes a task file; --json prints route, provider and reason; fields override the file", () => {
    const cwd = tempDir()
    const file = path.join(cwd, "t.md")
    writeFileSync(file, "---\nallow_delegation: true\ncomplexity_hint: high\n---\nprompt\n")
    expect(runCcl(["decide", file], { cwd, env: KEY }).stdout).toBe("claude-api\n")
    const json = JSON.parse(runCcl(["decide", file, "--json"], { cwd, env: KEY }).stdout)
    expect(json).toEqual({
      route: "delegate",
      provider: "claude-api",
      reason: "complexity_hint high maps to claude-api",
    })
    const overridden = runCcl(["decide", file, "--field", "needs_claude_code=true"], { cwd, env: KEY })
    expect(overridden.stdout).toBe("local\n")
  })

  it("the complexity map comes from ccl.yaml", () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), "delegation:\n  complexity: { low: gemini }\n")
    const r = runCcl(["decide", "--field", "allow_delegation=true", "--field", "complexity_hint=low"], {
      cwd,
      env: KEY,
    })
    expect(r).toEqual({ code: 0, stdout: "gemini\n", stderr: "" })
  })

  it("takes the slow path (full parser) for unusual shapes and prints the same", () => {
    const cwd = tempDir()
    const r = runCcl(
      ["decide", "--json", "--field", "preferred_ai=gpu", "--config", path.join(cwd, "none.yaml")],
      {
        cwd,
        env: KEY,
      },
    )
    // --config to a missing file is bad input, with one line saying how to fix it.
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("does not exist")
    expect(r.stdout).toBe("")
  })

  it.each([
    [["decide"], "nothing to route"],
    [["decide", "--field", "preferred_ai"], "is not key=value"],
    [["decide", "--field", "allow_delegation=maybe"], '"maybe"'],
    [["decide", "--field", "preferd_ai=gemini"], 'unknown field "preferd_ai"'],
    [["decide", "missing.md"], "cannot read task file missing.md"],
  ])("bad input %j -> exit 2 and one clear line", (args, fragment) => {
    const cwd = tempDir()
    const r = runCcl(args, { cwd })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    const lines = r.stderr.trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^ccl: /)
    expect(lines[0]).toContain(fragment)
  })

  it("a task file with bad frontmatter is bad input naming the file and the field", () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "bad.md"), "---\npriority: high\n---\nx\n")
    const r = runCcl(["decide", "bad.md"], { cwd })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      'ccl: bad.md: frontmatter field "priority": got "high", expected an integer such as 5\n',
    )
  })

  it("an invalid ccl.yaml is reported with the key and exit 2", () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), "pool:\n  size: many\n")
    const r = runCcl(["decide", "--field", "preferred_ai=gemini"], { cwd })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("pool.size")
    const typo = tempDir()
    writeFileSync(path.join(typo, "ccl.yaml"), "quee: ./q\n")
    const t = runCcl(["decide", "--field", "preferred_ai=gemini"], { cwd: typo })
    expect(t.code).toBe(2)
    expect(t.stderr).toContain('unknown key "quee"')
  })
})
