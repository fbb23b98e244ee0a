import { afterEach, describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  MAX_FRONTMATTER_BYTES,
  MAX_TASK_BYTES,
  parseTask,
  splitFrontmatter,
  validateFrontmatter,
} from "../../src/domain/Frontmatter.js"

const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got Left: ${JSON.stringify(e.left)}`)
  return e.right
}
const leftReason = <A>(e: Either.Either<A, { readonly reason: string }>): string => {
  if (Either.isRight(e)) throw new Error(`expected Left, got Right: ${JSON.stringify(e.right)}`)
  expect(e.left.reason).not.toMatch(/[\r\n]/) // reasons are one line (they go into the footer)
  return e.left.reason
}

const task = (yaml: string, body = "Do the thing.\n") => `---\n${yaml}---\n${body}`

const pwned = () => (globalThis as Record<string, unknown>).__pwned

afterEach(() => {
  delete (globalThis as Record<string, unknown>).__pwned
})

describe("splitFrontmatter", () => {
  it("reads text without an opening --- line as all body", () => {
    const text = "Just a prompt.\n\n---\nnot: frontmatter\n---\n"
    expect(right(splitFrontmatter(text))).toStrictEqual({ yaml: undefined, body: text })
  })

  it("does not look for frontmatter after line 1", () => {
    const text = "\n---\npriority: 5\n---\nbody"
    expect(right(splitFrontmatter(text))).toStrictEqual({ yaml: undefined, body: text })
  })

  it("splits the block from the body, keeping later --- lines in the body", () => {
    expect(right(splitFrontmatter("---\npriority: 5\n---\nbody\n---\nmore\n"))).toStrictEqual({
      yaml: "priority: 5\n",
      body: "body\n---\nmore\n",
    })
  })

  it("reads an empty block", () => {
    expect(right(splitFrontmatter("---\n---\n"))).toStrictEqual({ yaml: "", body: "" })
  })

  it("accepts a closing line at the very end of the file", () => {
    expect(right(splitFrontmatter("---\npriority: 1\n---"))).toStrictEqual({
      yaml: "priority: 1\n",
      body: "",
    })
  })

  it("handles CRLF line ends", () => {
    const { yaml, body } = right(splitFrontmatter("---\r\nkey: v\r\n---\r\nbody\r\n"))
    expect(yaml?.replace(/\r/g, "")).toBe("key: v\n")
    expect(body).toBe("body\r\n")
  })

  it("rejects an unclosed block", () => {
    expect(leftReason(splitFrontmatter("---\npriority: 1\nbody text\n"))).toMatch(
      /never closed|not closed|unclosed/,
    )
  })

  // A markdown thematic break such as `-----` on line 1 is not an opening `---` line, so the file is all
  // body (DESIGN.md: "Text without an opening `---` line is all body"), not frontmatter language "--".
  it("reads a file starting with a ----- thematic break as all body", () => {
    const text = "-----\nA prompt under a horizontal rule.\n"
    expect(right(splitFrontmatter(text))).toStrictEqual({ yaml: undefined, body: text })
  })
})

describe("parseTask", () => {
  it("reads a file without frontmatter as all body with no fields", () => {
    const text = "Refactor the parser.\n\nKeep the tests green.\n"
    expect(right(parseTask(text))).toStrictEqual({ frontmatter: {}, body: text })
  })

  it("reads an empty frontmatter block as no fields", () => {
    expect(right(parseTask("---\n---\n"))).toStrictEqual({ frontmatter: {}, body: "" })
    expect(right(parseTask("---\n---\nbody\n"))).toStrictEqual({ frontmatter: {}, body: "body\n" })
  })

  it("reads a frontmatter of only comments as no fields", () => {
    expect(right(parseTask(task("# nothing here yet\n")))).toStrictEqual({
      frontmatter: {},
      body: "Do the thing.\n",
    })
  })

  it("reads every field of DESIGN.md's example", () => {
    const text = [
      "---",
      "priority: 5                 # integer, default 0",
      "preferred_ai: gemini        # claude-code | claude-api | gemini | gpu",
      "allow_delegation: true      # boolean",
      "complexity_hint: low        # low | medium | high",
      "needs_claude_code: false    # boolean",
      "timeout: 2h                 # optional: watchdog / delegation deadline",
      "---",
      "The prompt: free markdown, sent to the agent verbatim.",
      "",
    ].join("\n")
    expect(right(parseTask(text))).toStrictEqual({
      frontmatter: {
        priority: 5,
        preferred_ai: "gemini",
        allow_delegation: true,
        complexity_hint: "low",
        needs_claude_code: false,
        timeout: 7_200_000,
      },
      body: "The prompt: free markdown, sent to the agent verbatim.\n",
    })
  })

  it.each([
    { text: "2h", ms: 7_200_000 },
    { text: "90m", ms: 5_400_000 },
    { text: "1h30m", ms: 5_400_000 },
    { text: "45s", ms: 45_000 },
    { text: "1d", ms: 86_400_000 },
  ])("parses timeout $text to $ms ms", ({ text, ms }) => {
    expect(right(parseTask(task(`timeout: ${text}\n`))).frontmatter).toStrictEqual({ timeout: ms })
  })

  it("reads the task model's fields: depends_on, max_attempts, retry_backoff", () => {
    expect(
      right(parseTask(task("depends_on: [build, lint, build]\nmax_attempts: 5\nretry_backoff: 1m\n")))
        .frontmatter,
    ).toStrictEqual({ depends_on: ["build", "lint"], max_attempts: 5, retry_backoff: 60_000 })
    // One id alone is a list of one; no backoff at all is allowed.
    expect(right(parseTask(task("depends_on: build\nretry_backoff: 0\n"))).frontmatter).toStrictEqual({
      depends_on: ["build"],
      retry_backoff: 0,
    })
  })

  it.each([
    { yaml: "depends_on: [../etc/passwd]\n", field: "depends_on", expected: "a list of task ids" },
    { yaml: "depends_on: [1, 2]\n", field: "depends_on", expected: "a list of task ids" },
    { yaml: "max_attempts: 0\n", field: "max_attempts", expected: "1 or more" },
    { yaml: "max_attempts: 2.5\n", field: "max_attempts", expected: "1 or more" },
    { yaml: "retry_backoff: soon\n", field: "retry_backoff", expected: "a duration" },
  ])("rejects $yaml naming the field", ({ yaml, field, expected }) => {
    const reason = leftReason(parseTask(task(yaml)))
    expect(reason).toContain(`field "${field}"`)
    expect(reason).toContain(expected)
  })

  it("leaves the history of earlier runs (a retried task) out of the prompt", () => {
    const text = `${task("priority: 1\n", "Fix it.\n")}\n<!-- ccl:previous-result -->\n## Result\n- status: failed\n`
    expect(right(parseTask(text)).body).toBe("Fix it.\n")
  })

  it("accepts a negative priority", () => {
    expect(right(parseTask(task("priority: -2\n"))).frontmatter).toStrictEqual({ priority: -2 })
  })

  it("keeps the body verbatim, including later --- lines and trailing whitespace", () => {
    const body = "Line one  \n\n---\n\n```yaml\npriority: 99\n```\n\n"
    expect(right(parseTask(task("priority: 1\n", body)))).toStrictEqual({
      frontmatter: { priority: 1 },
      body,
    })
  })

  it("accepts and ignores unknown keys", () => {
    const parsed = right(parseTask(task("priority: 2\nowner: alice\ntags: [a, b]\nnested: { x: 1 }\n")))
    expect(parsed).toStrictEqual({ frontmatter: { priority: 2 }, body: "Do the thing.\n" })
  })

  it.each(["priority:\n", "priority: null\n", "priority: ~\n", "priority: Null\n"])(
    "reads YAML null as unset: %j",
    (yaml) => {
      expect(right(parseTask(task(yaml))).frontmatter).toStrictEqual({})
    },
  )

  it("reads null as unset for every field", () => {
    const yaml = [
      "priority:",
      "preferred_ai: ~",
      "allow_delegation: null",
      "complexity_hint:",
      "needs_claude_code: ~",
      "timeout:",
      "",
    ].join("\n")
    expect(right(parseTask(task(yaml))).frontmatter).toStrictEqual({})
  })

  it("handles a CRLF file", () => {
    expect(
      right(parseTask("---\r\npriority: 3\r\npreferred_ai: gpu\r\n---\r\nbody\r\nline 2\r\n")),
    ).toStrictEqual({
      frontmatter: { priority: 3, preferred_ai: "gpu" },
      body: "body\r\nline 2\r\n",
    })
    // The brief's minimal form: an unknown key, no trailing newline.
    expect(right(parseTask("---\r\nkey: v\r\n---\r\nbody"))).toStrictEqual({ frontmatter: {}, body: "body" })
  })

  it("handles a byte-order mark before the frontmatter", () => {
    expect(right(parseTask("\uFEFF---\npriority: 2\n---\nbody\n"))).toStrictEqual({
      frontmatter: { priority: 2 },
      body: "body\n",
    })
  })

  it("handles a byte-order mark in a file without frontmatter", () => {
    const parsed = right(parseTask("\uFEFFJust a prompt.\n"))
    expect(parsed.frontmatter).toStrictEqual({})
    expect(parsed.body.replace(/^\uFEFF/, "")).toBe("Just a prompt.\n")
  })

  describe("type errors name the field, the bad value and what is allowed", () => {
    it.each([
      { yaml: "priority: high", field: "priority", value: "high", allowed: ["integer"] },
      { yaml: "priority: 1.5", field: "priority", value: "1.5", allowed: ["integer"] },
      { yaml: 'priority: "5"', field: "priority", value: '"5"', allowed: ["integer"] },
      { yaml: "priority: [1, 2]", field: "priority", value: "1,2", allowed: ["integer"] },
      {
        yaml: 'preferred_ai: ""',
        field: "preferred_ai",
        value: '""',
        allowed: ["gemini", "gpu", "claude-api"],
      },
      {
        yaml: "preferred_ai: 5",
        field: "preferred_ai",
        value: "5",
        allowed: ["gemini", "gpu", "claude-api"],
      },
      { yaml: "preferred_ai: true", field: "preferred_ai", value: "true", allowed: ["gemini"] },
      { yaml: "allow_delegation: yes", field: "allow_delegation", value: "yes", allowed: ["true", "false"] },
      {
        yaml: 'allow_delegation: "true"',
        field: "allow_delegation",
        value: '"true"',
        allowed: ["true", "false"],
      },
      { yaml: "allow_delegation: 1", field: "allow_delegation", value: "1", allowed: ["true", "false"] },
      {
        yaml: "complexity_hint: extreme",
        field: "complexity_hint",
        value: "extreme",
        allowed: ["low", "medium", "high"],
      },
      {
        yaml: "complexity_hint: 3",
        field: "complexity_hint",
        value: "3",
        allowed: ["low", "medium", "high"],
      },
      { yaml: "needs_claude_code: no", field: "needs_claude_code", value: "no", allowed: ["true", "false"] },
      { yaml: "needs_claude_code: 0", field: "needs_claude_code", value: "0", allowed: ["true", "false"] },
      { yaml: "timeout: forever", field: "timeout", value: "forever", allowed: ["duration", "2h"] },
      { yaml: "timeout: 0s", field: "timeout", value: "0s", allowed: ["duration"] },
      { yaml: "timeout: 2 hours", field: "timeout", value: "2 hours", allowed: ["duration"] },
    ])("$yaml", ({ yaml, field, value, allowed }) => {
      const reason = leftReason(parseTask(task(`${yaml}\n`)))
      expect(reason).toContain(field)
      expect(reason).toContain(value)
      for (const word of allowed) expect(reason).toContain(word)
    })

    it("reports every bad field at once", () => {
      const reason = leftReason(parseTask(task("priority: x\ncomplexity_hint: huge\npreferred_ai: gpu\n")))
      expect(reason).toContain("priority")
      expect(reason).toContain('"x"')
      expect(reason).toContain("complexity_hint")
      expect(reason).toContain('"huge"')
      expect(reason).not.toContain("preferred_ai")
    })
  })

  describe("never evaluates code", () => {
    it.each(["js", "javascript", "coffee"])("rejects a ---%s block without running it", (lang) => {
      const text = `---${lang}\nglobalThis.__pwned = true\nmodule.exports = { priority: (globalThis.__pwned = 1) }\n---\nbody\n`
      const reason = leftReason(parseTask(text))
      expect(reason).toContain(lang)
      expect(pwned()).toBeUndefined()
    })

    it.each([
      "f: !!js/function 'function () { globalThis.__pwned = true }'",
      "f: !!js/undefined ''",
      "f: !!js/regexp /x/",
      "f: !!python/object/apply:os.system ['touch /tmp/pwned']",
      "priority: !custom 5",
    ])("rejects a custom tag: %s", (yaml) => {
      const reason = leftReason(parseTask(task(`${yaml}\n`)))
      expect(reason).toMatch(/tag/i)
      expect(pwned()).toBeUndefined()
    })
  })

  it("rejects duplicate keys", () => {
    expect(leftReason(parseTask(task("priority: 1\npriority: 9\n")))).toMatch(/unique|duplicate/i)
  })

  it("rejects a list instead of a mapping", () => {
    const reason = leftReason(parseTask(task("- priority: 1\n- preferred_ai: gpu\n")))
    expect(reason).toMatch(/mapping/)
    expect(reason).toMatch(/list/)
  })

  it("rejects a bare scalar instead of a mapping", () => {
    const reason = leftReason(parseTask(task("just some words\n")))
    expect(reason).toMatch(/mapping/)
    expect(reason).toContain("just some words")
  })

  it("rejects invalid YAML with a reason", () => {
    expect(leftReason(parseTask(task("priority: [1, 2\n")))).toMatch(/YAML/)
  })

  it("rejects an unclosed frontmatter", () => {
    expect(leftReason(parseTask("---\npriority: 1\n\nThe prompt, no closing line.\n"))).toMatch(/closed/)
  })

  it("rejects an alias bomb quickly", () => {
    const yaml = [
      "a: &a [x, x, x, x, x, x, x, x, x]",
      "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]",
      "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]",
      "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]",
      "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]",
      "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]",
      "",
    ].join("\n")
    const started = Date.now()
    expect(leftReason(parseTask(task(yaml)))).toMatch(/alias/i)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  describe("size limits", () => {
    const limitMiB = `${MAX_TASK_BYTES / 1024 / 1024} MiB`

    it("rejects a 5 MB file, naming the limit", () => {
      const reason = leftReason(parseTask(`---\npriority: 1\n---\n${"x".repeat(5 * 1024 * 1024)}`))
      expect(reason).toMatch(/limit/)
      expect(reason).toContain(limitMiB)
    })

    it("accepts a file of exactly MAX_TASK_BYTES and rejects one byte more", () => {
      const head = "---\npriority: 1\n---\n"
      const exact = head + "x".repeat(MAX_TASK_BYTES - head.length)
      expect(right(parseTask(exact)).frontmatter).toStrictEqual({ priority: 1 })
      expect(leftReason(parseTask(`${exact}x`))).toContain(limitMiB)
    })

    it("counts bytes, not characters", () => {
      const text = "é".repeat(MAX_TASK_BYTES / 2 + 1) // fewer characters than the limit, more bytes
      expect(text.length).toBeLessThan(MAX_TASK_BYTES)
      expect(leftReason(parseTask(text))).toContain(limitMiB)
    })

    it("rejects an oversized frontmatter block", () => {
      const reason = leftReason(parseTask(task(`note: ${"a".repeat(MAX_FRONTMATTER_BYTES)}\n`)))
      expect(reason).toContain(`${MAX_FRONTMATTER_BYTES / 1024} KiB`)
    })
  })
})

describe("validateFrontmatter", () => {
  it("accepts an object of valid fields", () => {
    expect(
      right(
        validateFrontmatter({ priority: 1, preferred_ai: "gpu", allow_delegation: false, timeout: "90s" }),
      ),
    ).toStrictEqual({ priority: 1, preferred_ai: "gpu", allow_delegation: false, timeout: 90_000 })
  })

  it("treats null values as unset and drops unknown keys", () => {
    expect(right(validateFrontmatter({ priority: null, complexity_hint: "high", extra: [1] }))).toStrictEqual(
      {
        complexity_hint: "high",
      },
    )
  })

  it("names the field, value and allowed values", () => {
    const reason = leftReason(validateFrontmatter({ needs_claude_code: "sometimes" }))
    expect(reason).toContain("needs_claude_code")
    expect(reason).toContain('"sometimes"')
    expect(reason).toMatch(/true or false/)
  })

  it.each([[[1, 2]], ["text"], [42]])("rejects a non-object: %j", (value) => {
    expect(Either.isLeft(validateFrontmatter(value))).toBe(true)
  })
})
