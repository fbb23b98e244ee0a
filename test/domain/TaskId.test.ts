import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { isTaskId, TaskId, taskIdOfFileName, taskIdProblem } from "../../src/domain/TaskId.js"

// DESIGN.md "Queue on disk": ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$
const valid = [
  "a",
  "Z",
  "7",
  "task-1",
  "fix_bug.v2",
  "2026-11-24T10.00.00",
  "A.b_C-d",
  "foo.swp",
  "a".repeat(128),
  `x${"-._9".repeat(31)}abc`, // 128 characters, every allowed class
]
const invalid = [
  "",
  "a".repeat(129),
  ".hidden",
  "-flag",
  "_private",
  ".",
  "..",
  "../etc",
  "a/b",
  "a b",
  "a\n",
  "\na",
  "a\u0000",
  "foo~",
  "~foo",
  "foo.md~",
  ".foo.md.swp",
  "tâche",
  "a:b",
  "a;b",
  "$(x)",
]

describe("isTaskId", () => {
  it("the table of valid ids holds a 128-character id", () => {
    expect(valid.filter((s) => s.length === 128)).toHaveLength(2)
  })

  it.each(valid)("accepts %j", (s) => {
    expect(isTaskId(s)).toBe(true)
    expect(taskIdProblem(s)).toBeUndefined()
  })

  it.each(invalid)("rejects %j", (s) => {
    expect(isTaskId(s)).toBe(false)
    const problem = taskIdProblem(s)
    expect(problem).toContain(JSON.stringify(s))
    expect(problem).not.toMatch(/\n/)
  })
})

describe("TaskId schema", () => {
  const decode = Schema.decodeUnknownEither(TaskId)

  it("decodes a valid id", () => {
    expect(decode("task-1")).toStrictEqual(Either.right("task-1"))
  })

  it.each([".hidden", "a".repeat(129), "", 42, null])("rejects %j", (value) => {
    expect(Either.isLeft(decode(value))).toBe(true)
  })
})

describe("taskIdOfFileName", () => {
  it.each([
    { name: "foo.md", id: "foo" },
    { name: "a.b.md", id: "a.b" },
    { name: "task-1.md", id: "task-1" },
    { name: "x.md.md", id: "x.md" },
    { name: `${"a".repeat(128)}.md`, id: "a".repeat(128) },
  ])("reads $name as $id", ({ name, id }) => {
    expect(taskIdOfFileName(name)).toBe(id)
  })

  it.each([
    "foo.md.swp",
    ".foo.md.swp",
    ".foo.md.swx",
    ".hidden.md",
    "4913",
    "x.tmp",
    "foo.md.tmp",
    "t.md.delegated",
    "foo.md~",
    "~foo.md",
    "#foo.md#",
    ".#foo.md",
    ".md",
    "foo",
    "foo.markdown",
    "foo.txt",
    "-x.md",
    "a b.md",
    `${"a".repeat(129)}.md`,
  ])("ignores %j", (name) => {
    expect(taskIdOfFileName(name)).toBeUndefined()
  })
})
