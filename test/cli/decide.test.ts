import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { EXAMPLE_CONFIG } from "../../src/domain/Settings.js"
import { decideLite } from "../../src/programs/DecideLite.js"
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

// The light path (src/programs/DecideLite.ts, run by the loader before the program) against the program
// (CCL_DECIDE_FULL=1): same stdout, stderr and exit code on every row. `lite` says whether the light path answers
// the row itself (checked in-process) or leaves it to the program, which words the error.
describe("ccl decide: the light path and the program say the same", () => {
  const TASK = "---\nallow_delegation: true\ncomplexity_hint: high\n---\nprompt\n"
  const rows: ReadonlyArray<{
    readonly name: string
    readonly args: ReadonlyArray<string>
    readonly files?: Readonly<Record<string, string>>
    readonly env?: Readonly<Record<string, string>>
    readonly lite: boolean
  }> = [
    { name: "a field, delegation off", args: ["decide", "--field", "preferred_ai=gemini"], lite: true },
    {
      name: "a field, delegation on",
      args: ["decide", "--field", "preferred_ai=gemini"],
      env: KEY,
      lite: true,
    },
    { name: "--json", args: ["decide", "--json", "--field=preferred_ai=gpu"], env: KEY, lite: true },
    {
      name: "a task file",
      args: ["decide", "t.md", "--json"],
      files: { "t.md": TASK },
      env: KEY,
      lite: true,
    },
    {
      name: "a field over the file",
      args: ["decide", "t.md", "--field", "needs_claude_code=yes"],
      files: { "t.md": TASK },
      env: KEY,
      lite: true,
    },
    {
      name: "a file without frontmatter",
      args: ["decide", "p.md"],
      files: { "p.md": "just do it\n" },
      lite: true,
    },
    {
      name: "a byte-order mark",
      args: ["decide", "b.md"],
      files: { "b.md": `\uFEFF${TASK}` },
      env: KEY,
      lite: true,
    },
    { name: "bad field value", args: ["decide", "--field", "priority=high"], lite: true },
    { name: "unknown field", args: ["decide", "--field", "preferd_ai=gemini"], lite: true },
    { name: "not key=value", args: ["decide", "--field", "preferred_ai"], lite: true },
    { name: "nothing to route", args: ["decide"], lite: true },
    {
      name: "bad frontmatter",
      args: ["decide", "x.md"],
      files: { "x.md": "---\npriority: [1\n---\n" },
      lite: true,
    },
    {
      name: "bad fields in the file",
      args: ["decide", "y.md"],
      files: { "y.md": "---\npriority: high\ncomplexity_hint: huge\n---\n" },
      lite: true,
    },
    {
      name: "ccl.yaml as ccl init writes it",
      args: ["decide", "--field", "allow_delegation=true", "--field", "complexity_hint=medium"],
      files: { "ccl.yaml": EXAMPLE_CONFIG },
      env: KEY,
      lite: true,
    },
    {
      name: "a complexity map and providers from ccl.yaml",
      args: ["decide", "--field", "allow_delegation=true", "--field", "complexity_hint=low", "--json"],
      files: { "ccl.yaml": "delegation:\n  providers: [gemini]\n  complexity: { low: gemini }\n" },
      env: KEY,
      lite: true,
    },
    {
      name: "overrides from the environment",
      args: ["decide", "--field", "allow_delegation=true", "--field", "complexity_hint=low"],
      env: {
        ...KEY,
        CCL_DELEGATION_COMPLEXITY_LOW: "gemini",
        CCL_DELEGATION_PROVIDERS: "gpu, gemini",
        CCL_API_PORT: "7421",
      },
      lite: true,
    },
    {
      name: "--config naming a file",
      args: ["decide", "--config", "c.yaml", "--field", "preferred_ai=gpu"],
      files: { "c.yaml": "pool: { size: 2 }\n" },
      env: KEY,
      lite: true,
    },
    { name: "missing task file", args: ["decide", "missing.md"], lite: false },
    {
      name: "--config missing",
      args: ["decide", "--config", "none.yaml", "--field", "preferred_ai=gpu"],
      lite: false,
    },
    {
      name: "bad value in ccl.yaml",
      args: ["decide", "--field", "preferred_ai=gemini"],
      files: { "ccl.yaml": "pool:\n  size: many\n" },
      lite: false,
    },
    {
      name: "unknown key in ccl.yaml",
      args: ["decide", "--field", "preferred_ai=gemini"],
      files: { "ccl.yaml": "quee: ./q\n" },
      lite: false,
    },
    {
      name: "ccl.yaml not YAML",
      args: ["decide", "--field", "preferred_ai=gemini"],
      files: { "ccl.yaml": "pool: [\n" },
      lite: false,
    },
    {
      name: "a bad override",
      args: ["decide", "--field", "preferred_ai=gemini"],
      env: { CCL_POOL_SIZE: "0" },
      lite: false,
    },
    {
      name: "an empty list (read as <nil>)",
      args: ["decide", "--field", "preferred_ai=gpu"],
      files: { "ccl.yaml": "delegation: { providers: [] }\n" },
      env: KEY,
      lite: false,
    },
    { name: "--help", args: ["decide", "--help"], lite: false },
  ]

  for (const row of rows)
    it(`${row.name}: ${row.args.slice(1).join(" ") || "(no arguments)"}`, () => {
      const cwd = tempDir()
      for (const [name, text] of Object.entries(row.files ?? {})) writeFileSync(path.join(cwd, name), text)
      const env = row.env ?? {}
      const light = runCcl(row.args, { cwd, env })
      const full = runCcl(row.args, { cwd, env: { ...env, CCL_DECIDE_FULL: "1" } })
      expect(light).toEqual(full)
      const answer = decideLite(row.args, { PATH: process.env.PATH, HOME: cwd, ...env }, cwd)
      if (row.lite) expect(answer).toEqual({ code: full.code, stdout: full.stdout, stderr: full.stderr })
      else expect(answer).toBeUndefined()
    })
})
