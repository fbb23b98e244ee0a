import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { parse } from "yaml"
import { parseTask, splitFrontmatter } from "../../src/domain/Frontmatter.js"
import { setFrontmatterFields } from "../../src/domain/TaskText.js"

const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got Left: ${JSON.stringify(e.left)}`)
  return e.right
}
const leftReason = <A>(e: Either.Either<A, { readonly reason: string }>): string => {
  if (Either.isRight(e)) throw new Error(`expected Left, got Right: ${JSON.stringify(e.right)}`)
  return e.left.reason
}
const bodyOf = (text: string) => right(splitFrontmatter(text)).body
const yamlOf = (text: string) => right(splitFrontmatter(text)).yaml

describe("setFrontmatterFields", () => {
  it("adds a frontmatter block to a plain body, keeping the body byte-identical", () => {
    const body = "Refactor the parser.\n\n---\n\nKeep `priority: 1` in mind.  \n"
    const out = right(setFrontmatterFields(body, { priority: 3, preferred_ai: "gemini" }))
    expect(out.startsWith("---\n")).toBe(true)
    expect(out.endsWith(body)).toBe(true)
    expect(right(parseTask(out))).toStrictEqual({
      frontmatter: { priority: 3, preferred_ai: "gemini" },
      body,
    })
  })

  it("updates a field, keeping other keys, comments and the body as they are", () => {
    const yaml = [
      "# routing for the nightly job",
      "priority: 1",
      "preferred_ai: gemini   # the cheap one",
      "owner: alice           # not a ccl field",
      "tags: [nightly, docs]",
      "",
      "# trailing comment",
      "",
    ].join("\n")
    const body = "Write the docs.\r\n\r\n---\r\nA section after a rule.\r\n"
    const out = right(setFrontmatterFields(`---\n${yaml}---\n${body}`, { priority: 9 }))
    expect(bodyOf(out)).toBe(body)
    const newYaml = yamlOf(out) ?? ""
    // Keys (in their order) and values: only priority changed.
    expect(parse(newYaml)).toStrictEqual({ ...parse(yaml), priority: 9 })
    expect(Object.keys(parse(newYaml))).toEqual(["priority", "preferred_ai", "owner", "tags"])
    // Comments, each on the line it was on (spacing before a `#` may be normalised).
    const lines = newYaml.split("\n")
    expect(lines[0]).toBe("# routing for the nightly job")
    expect(lines.find((l) => l.startsWith("preferred_ai:"))).toMatch(
      /^preferred_ai: gemini +# the cheap one$/,
    )
    expect(lines.find((l) => l.startsWith("owner:"))).toMatch(/^owner: alice +# not a ccl field$/)
    expect(lines).toContain("# trailing comment")
    expect(right(parseTask(out)).frontmatter).toStrictEqual({ priority: 9, preferred_ai: "gemini" })
  })

  it("adds a new key after the existing ones", () => {
    const out = right(setFrontmatterFields("---\n# c\npriority: 1\n---\nbody\n", { allow_delegation: true }))
    expect(out).toBe("---\n# c\npriority: 1\nallow_delegation: true\n---\nbody\n")
  })

  it("fills an empty frontmatter block", () => {
    const out = right(setFrontmatterFields("---\n---\nbody\n", { needs_claude_code: true }))
    expect(bodyOf(out)).toBe("body\n")
    expect(right(parseTask(out)).frontmatter).toStrictEqual({ needs_claude_code: true })
  })

  it("quotes values that would otherwise change meaning", () => {
    const fields = { preferred_ai: "a: b # c", complexity_hint: "high", timeout: "2h" }
    const out = right(setFrontmatterFields("Prompt.\n", fields))
    expect(right(parseTask(out)).frontmatter).toStrictEqual({
      preferred_ai: "a: b # c",
      complexity_hint: "high",
      timeout: 7_200_000,
    })
  })

  it("returns the text unchanged when there is nothing to set", () => {
    for (const text of ["plain\n", "---\npriority: 1 # c\n---\nbody", "---js\nnot yaml\n---\n"]) {
      expect(right(setFrontmatterFields(text, {}))).toBe(text)
    }
  })

  it("handles a byte-order mark and CRLF frontmatter", () => {
    const out = right(setFrontmatterFields("\uFEFF---\r\npriority: 1\r\n---\r\nbody\r\n", { priority: 2 }))
    expect(bodyOf(out)).toBe("body\r\n")
    expect(right(parseTask(out)).frontmatter).toStrictEqual({ priority: 2 })
  })

  it("rejects frontmatter it cannot edit", () => {
    expect(leftReason(setFrontmatterFields("---\npriority: [1\n---\nbody", { priority: 2 }))).toMatch(/YAML/)
    expect(leftReason(setFrontmatterFields("---\npriority: 1\nbody", { priority: 2 }))).toMatch(/closed/)
    expect(leftReason(setFrontmatterFields("---js\nx = 1\n---\nbody", { priority: 2 }))).toContain("js")
  })

  // A frontmatter that is a YAML list or a scalar is an error value, not a throw from `doc.set`, so
  // `ccl queue add task.md --priority 3` reports it cleanly.
  it("returns an error, not a throw, for a list frontmatter", () => {
    const result = setFrontmatterFields("---\n- a\n- b\n---\nbody\n", { priority: 3 })
    expect(Either.isLeft(result)).toBe(true)
  })

  it("returns an error, not a throw, for a scalar frontmatter", () => {
    const result = setFrontmatterFields("---\nhello\n---\nbody\n", { priority: 3 })
    expect(Either.isLeft(result)).toBe(true)
  })
})
