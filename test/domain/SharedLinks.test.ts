import { describe, expect, it } from "@effect/vitest"
import {
  type Entry,
  foundText,
  judgeEntry,
  type LinkProblem,
  pendingProblems,
  renderProblem,
  resolveLinkText,
  type Seen,
} from "../../src/domain/SharedLinks.js"

const entry: Entry = { account: "main", home: "/h/main", sharedRoot: "/s", name: "projects" }
const dir: Seen = { kind: "dir" }
const missing: Seen = { kind: "missing" }

describe("judgeEntry", () => {
  it("a missing link over an existing target: create the link only", () => {
    expect(judgeEntry(entry, missing, dir)).toEqual({ problems: [], createTarget: false, createLink: true })
  })

  it("a missing link and a missing target: create both", () => {
    expect(judgeEntry(entry, missing, missing)).toEqual({
      problems: [],
      createTarget: true,
      createLink: true,
    })
  })

  it("a link to the target, absolute or relative, is accepted; a dangling one gets its target", () => {
    expect(judgeEntry(entry, { kind: "link", text: "/s/projects" }, dir).problems).toEqual([])
    expect(judgeEntry(entry, { kind: "link", text: "/s/projects/" }, dir).problems).toEqual([])
    expect(judgeEntry(entry, { kind: "link", text: "../../s/projects" }, dir).problems).toEqual([])
    expect(judgeEntry(entry, { kind: "link", text: "/s/projects" }, missing)).toEqual({
      problems: [],
      createTarget: true,
      createLink: false,
    })
  })

  it("a link elsewhere is refused with ln -sfn as the fix", () => {
    const v = judgeEntry(entry, { kind: "link", text: "/other/projects" }, dir)
    expect(v.createLink || v.createTarget).toBe(false)
    expect(v.problems).toEqual([
      {
        account: "main",
        path: "/h/main/projects",
        found: { kind: "link-to", target: "/other/projects" },
        expected: "link to /s/projects",
        fix: "ln -sfn /s/projects /h/main/projects",
      },
    ])
  })

  it("a real directory, a file, an unreadable entry are refused", () => {
    const found = (s: Seen) => judgeEntry(entry, s, dir).problems.map((p) => foundText(p.found))
    expect(found({ kind: "dir" })).toEqual(["directory"])
    expect(found({ kind: "file" })).toEqual(["regular file"])
    expect(found({ kind: "other" })).toEqual(["special file"])
    expect(found({ kind: "error", code: "EACCES" })).toEqual(["unreadable: EACCES"])
    expect(judgeEntry(entry, { kind: "dir" }, dir).problems[0]!.fix).toBe(
      "mv /h/main/projects /h/main/projects.bak && ccl accounts ensure",
    )
  })

  it("a shared target that is a regular file blocks the link: the problem names the target", () => {
    const v = judgeEntry(entry, missing, { kind: "file" })
    expect(v.createLink).toBe(false)
    expect(v.problems).toMatchObject([
      { path: "/s/projects", found: { kind: "regular file" }, expected: "directory" },
    ])
  })
})

describe("pendingProblems", () => {
  it("turns what ensure would create into missing / dangling link problems", () => {
    expect(
      pendingProblems(entry, judgeEntry(entry, missing, missing)).map((p) => foundText(p.found)),
    ).toEqual(["missing"])
    const dangling = judgeEntry(entry, { kind: "link", text: "/s/projects" }, missing)
    expect(pendingProblems(entry, dangling)).toEqual([
      {
        account: "main",
        path: "/h/main/projects",
        found: { kind: "dangling link" },
        expected: "link to /s/projects",
        fix: "ccl accounts ensure",
      },
    ])
    expect(pendingProblems(entry, judgeEntry(entry, { kind: "link", text: "/s/projects" }, dir))).toEqual([])
  })
})

describe("renderProblem", () => {
  const problem = (over: Partial<LinkProblem>): LinkProblem => ({
    account: "main",
    path: "/h/main/projects",
    found: { kind: "missing" },
    expected: "link to /s/projects",
    fix: "ccl accounts ensure",
    ...over,
  })

  it("one line: account, path, what is there, what belongs there, the fix", () => {
    expect(renderProblem(problem({}))).toBe(
      "main: /h/main/projects is missing, expected a link to /s/projects; fix: ccl accounts ensure",
    )
    expect(
      renderProblem(
        problem({
          found: { kind: "directory" },
          fix: "mv /h/main/projects /h/main/projects.bak && ccl accounts ensure",
        }),
      ),
    ).toBe(
      "main: /h/main/projects is a real directory, expected a link to /s/projects; ccl never moves data: keep what you need, then run: mv /h/main/projects /h/main/projects.bak && ccl accounts ensure",
    )
    expect(
      renderProblem(
        problem({ found: { kind: "link-to", target: "/x" }, fix: "ln -sfn /s/projects /h/main/projects" }),
      ),
    ).toBe(
      "main: /h/main/projects is a link to /x, expected a link to /s/projects; ccl will not change it: check the data in /x, then run: ln -sfn /s/projects /h/main/projects",
    )
    expect(
      renderProblem(problem({ found: { kind: "unreadable", code: "EACCES" }, fix: "chmod u+rwx /h/main" })),
    ).toBe(
      "main: /h/main/projects cannot be read (EACCES), expected a link to /s/projects; fix: chmod u+rwx /h/main",
    )
    for (const kind of ["regular file", "special file", "dangling link"] as const) {
      expect(renderProblem(problem({ found: { kind } }))).not.toContain("\n")
    }
  })

  it("foundText matches the documented vocabulary", () => {
    expect(foundText({ kind: "link-to", target: "/x" })).toBe("link-to /x")
    expect(foundText({ kind: "not writable", code: "EPERM" })).toBe("not writable: EPERM")
    expect(foundText({ kind: "dangling link" })).toBe("dangling link")
  })

  it("resolveLinkText resolves relative text against the link's folder", () => {
    expect(resolveLinkText("/h/main/projects", "../../s/projects")).toBe("/s/projects")
    expect(resolveLinkText("/h/main/projects", "/s/projects")).toBe("/s/projects")
  })
})
