import {
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { parseAccountState } from "../../src/programs/cli/AccountsCommand.js"
import { runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const NAMES = ["session-env", "file-history", "projects"]

/** ccl.yaml with two accounts (homes not created) and a shared root under `cwd`. */
const setup = () => {
  const cwd = tempDir()
  const main = path.join(cwd, "homes", "main")
  const backup = path.join(cwd, "homes", "backup")
  const shared = path.join(cwd, "shared")
  writeFileSync(
    path.join(cwd, "ccl.yaml"),
    `state: ./state\nshared: { root: ${shared} }\naccounts:\n  - { name: main, home: ${main} }\n  - { name: backup, home: ${backup} }\n`,
  )
  return { cwd, main, backup, shared }
}

/** Both homes linked correctly, made by hand. */
const linked = (s: ReturnType<typeof setup>) => {
  for (const home of [s.main, s.backup]) {
    mkdirSync(home, { recursive: true })
    for (const n of NAMES) {
      mkdirSync(path.join(s.shared, n), { recursive: true })
      symlinkSync(path.join(s.shared, n), path.join(home, n))
    }
  }
}

describe("ccl accounts check", () => {
  it("good homes: exit 0, one ok line per account", () => {
    const s = setup()
    linked(s)
    const r = runCcl(["accounts", "check"], { cwd: s.cwd })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout.trim().split("\n")).toEqual([
      `ok main: ${s.main} links session-env, file-history, projects to ${s.shared}`,
      `ok backup: ${s.backup} links session-env, file-history, projects to ${s.shared}`,
    ])
  })

  it("a real directory where a link belongs: exit 2, every problem one line, the directory intact", () => {
    const s = setup()
    linked(s)
    // The user's own layout: projects is a real directory with data in main, backup misses file-history.
    const dir = path.join(s.main, "projects")
    unlinkSync(dir)
    mkdirSync(dir)
    writeFileSync(path.join(dir, "conv.jsonl"), "{}\n")
    unlinkSync(path.join(s.backup, "file-history"))
    const r = runCcl(["accounts", "check"], { cwd: s.cwd })
    expect(r.code).toBe(2)
    const lines = r.stderr.trim().split("\n")
    expect(lines).toHaveLength(3)
    expect(lines[0]).toBe(
      `ccl: main: ${dir} is a real directory, expected a link to ${path.join(s.shared, "projects")}; ccl never moves data: keep what you need, then run: mv ${dir} ${dir}.bak && ccl accounts ensure`,
    )
    expect(lines[1]).toContain(`backup: ${path.join(s.backup, "file-history")} is missing`)
    expect(lines[2]).toBe("ccl: 2 problems with shared links; ccl moved and deleted nothing")
    expect(readdirSync(dir)).toEqual(["conv.jsonl"])
    expect(readFileSync(path.join(dir, "conv.jsonl"), "utf8")).toBe("{}\n")
  })

  it("--json: ok, accounts and structured problems on stdout", () => {
    const s = setup()
    const before = runCcl(["accounts", "check", "--json"], { cwd: s.cwd })
    expect(before.code).toBe(2) // nothing exists yet: every link is missing
    const doc = JSON.parse(before.stdout)
    expect(doc.ok).toBe(false)
    expect(doc.accounts).toEqual([
      { name: "main", home: s.main },
      { name: "backup", home: s.backup },
    ])
    expect(doc.problems).toHaveLength(6)
    expect(doc.problems[0]).toEqual({
      account: "main",
      path: path.join(s.main, "session-env"),
      found: "missing",
      expected: `link to ${path.join(s.shared, "session-env")}`,
      fix: "ccl accounts ensure",
      message: expect.stringContaining("is missing"),
    })
    linked(s)
    const ok = runCcl(["accounts", "check", "--json"], { cwd: s.cwd })
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, problems: [] })
  })

  it("no accounts configured: exit 2 saying to add accounts:", () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), "queue: ./q\n")
    for (const sub of ["check", "ensure", "list"]) {
      const r = runCcl(["accounts", sub], { cwd })
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split("\n")).toHaveLength(1)
      expect(r.stderr).toContain("add accounts:")
    }
  })
})

describe("ccl accounts ensure", () => {
  it("creates homes, links and shared folders; a second run has nothing to do", () => {
    const s = setup()
    const r = runCcl(["accounts", "ensure"], { cwd: s.cwd })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      `main: linked ${path.join(s.main, "projects")} -> ${path.join(s.shared, "projects")}`,
    )
    expect(r.stdout).toContain(`main: created directory ${path.join(s.shared, "projects")}`)
    for (const home of [s.main, s.backup])
      for (const n of NAMES) expect(readlinkSync(path.join(home, n))).toBe(path.join(s.shared, n))
    expect(runCcl(["accounts", "check"], { cwd: s.cwd }).code).toBe(0)
    const again = runCcl(["accounts", "ensure"], { cwd: s.cwd })
    expect(again.code).toBe(0)
    expect(again.stdout.trim().split("\n")).toEqual([
      `ok main: ${s.main} already links session-env, file-history, projects`,
      `ok backup: ${s.backup} already links session-env, file-history, projects`,
    ])
  })

  it("--json; a divergent link is refused (exit 2) while the rest is created", () => {
    const s = setup()
    mkdirSync(s.main, { recursive: true })
    symlinkSync("/elsewhere", path.join(s.main, "projects"))
    const r = runCcl(["accounts", "ensure", "--json"], { cwd: s.cwd })
    expect(r.code).toBe(2)
    const doc = JSON.parse(r.stdout)
    expect(doc.ok).toBe(false)
    expect(doc.accounts[0]).toMatchObject({
      name: "main",
      home: s.main,
      created_links: [path.join(s.main, "session-env"), path.join(s.main, "file-history")],
      problems: [
        {
          found: "link-to /elsewhere",
          fix: `ln -sfn ${path.join(s.shared, "projects")} ${path.join(s.main, "projects")}`,
        },
      ],
    })
    expect(doc.accounts[1]).toMatchObject({ name: "backup", problems: [] })
    expect(doc.accounts[1].created_links).toHaveLength(3)
    expect(readlinkSync(path.join(s.main, "projects"))).toBe("/elsewhere")
    expect(r.stderr).toContain("is a link to /elsewhere")
  })
})

describe("ccl accounts list", () => {
  it("without state.json the first account is active; with it, the active one and cooldowns", () => {
    const s = setup()
    const first = runCcl(["accounts", "list", "--json"], { cwd: s.cwd })
    expect(first.code).toBe(0)
    expect(JSON.parse(first.stdout)).toEqual([
      // GET /api/accounts' shape (no daemon: no quota), and the older name of the cooldown for scripts.
      {
        name: "main",
        home: s.main,
        active: true,
        cooldown_until: null,
        cooling_down_until: null,
        quota: null,
      },
      {
        name: "backup",
        home: s.backup,
        active: false,
        cooldown_until: null,
        cooling_down_until: null,
        quota: null,
      },
    ])
    mkdirSync(path.join(s.cwd, "state"))
    const until = new Date(Date.now() + 3_600_000).toISOString()
    writeFileSync(
      path.join(s.cwd, "state", "state.json"),
      JSON.stringify({ active_account: "backup", attempts: {}, cooldowns: { main: until } }),
    )
    const r = runCcl(["accounts", "list"], { cwd: s.cwd })
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split("\n")
    expect(lines[0]).toMatch(/^ACTIVE\s+NAME\s+HOME\s+5H\s+7D\s+COOLING DOWN UNTIL$/)
    expect(lines[1]).toMatch(new RegExp(`^\\s+main\\s+${s.main}\\s+-\\s+-\\s+${until}$`))
    expect(lines[2]).toMatch(new RegExp(`^\\*\\s+backup\\s+${s.backup}\\s+-\\s+-\\s+-$`))
    writeFileSync(path.join(s.cwd, "state", "state.json"), "{ corrupt")
    expect(JSON.parse(runCcl(["accounts", "list", "--json"], { cwd: s.cwd }).stdout)[0].active).toBe(true)
  })

  it("parseAccountState keeps only well-typed fields", () => {
    expect(parseAccountState(undefined)).toEqual({ active: undefined, cooldowns: {} })
    expect(parseAccountState("[1]")).toEqual({ active: undefined, cooldowns: {} })
    expect(
      parseAccountState(
        JSON.stringify({ active_account: 3, cooldowns: { a: "2030-01-01T00:00:00Z", b: "soon", c: 5 } }),
      ),
    ).toEqual({ active: undefined, cooldowns: { a: Date.parse("2030-01-01T00:00:00Z") } })
    expect(parseAccountState(JSON.stringify({ active_account: "x", cooldowns: null }))).toEqual({
      active: "x",
      cooldowns: {},
    })
  })
})
