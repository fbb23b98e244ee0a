import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import {
  appendFooter,
  FOOTER_MARKER,
  footerAsHistory,
  parseFooter,
  type ResultFooter,
  rejectedFooter,
  renderFooter,
  withoutHistory,
} from "../../src/domain/ResultFooter.js"

const delegated: ResultFooter = {
  status: "completed",
  route: "delegated",
  provider: "gemini",
  job_id: "7f3c9a",
  cost_usd: 0.0123,
  started_at: "2026-11-24T10:00:00Z",
  finished_at: "2026-11-24T10:03:12Z",
  text: "The summary the platform returned.\n\nSecond paragraph.",
}

const local: ResultFooter = {
  status: "completed",
  route: "local",
  provider: "claude-code",
  session: "ccl-pool-2",
  account: "backup",
  attempt: 1,
  started_at: "2026-11-24T10:00:00Z",
  finished_at: "2026-11-24T10:03:12Z",
}

const original = "---\npriority: 5\npreferred_ai: gemini\n---\nSummarise the design.\n"

describe("renderFooter / appendFooter (DESIGN.md 'Result footer')", () => {
  it("renders a delegated footer in the documented shape", () => {
    expect(appendFooter(original, delegated)).toBe(
      original +
        [
          "",
          "<!-- ccl:result -->",
          "## Result",
          "- status: completed",
          "- route: delegated",
          "- provider: gemini",
          "- job_id: 7f3c9a",
          "- cost_usd: 0.0123",
          "- started_at: 2026-11-24T10:00:00Z",
          "- finished_at: 2026-11-24T10:03:12Z",
          "",
          "The summary the platform returned.",
          "",
          "Second paragraph.",
          "",
        ].join("\n"),
    )
  })

  it("renders a local footer in the documented shape, without a text block", () => {
    expect(renderFooter(local)).toBe(
      [
        "",
        "<!-- ccl:result -->",
        "## Result",
        "- status: completed",
        "- route: local",
        "- provider: claude-code",
        "- session: ccl-pool-2",
        "- account: backup",
        "- attempt: 1",
        "- started_at: 2026-11-24T10:00:00Z",
        "- finished_at: 2026-11-24T10:03:12Z",
        "",
      ].join("\n"),
    )
  })

  it("renders an empty result text like no text", () => {
    expect(renderFooter({ ...local, text: "" })).toBe(renderFooter(local))
  })

  it("flattens an error with newlines and control bytes to one line", () => {
    const rendered = renderFooter({
      status: "failed",
      route: "local",
      provider: "claude-code",
      finished_at: "2026-11-24T10:03:12Z",
      error: "agent exited\nwith code 1\r\n\tstack: x\u001b[31mred\u0007",
    })
    const errorLines = rendered.split("\n").filter((l) => l.startsWith("- error:"))
    expect(errorLines).toHaveLength(1)
    const line = errorLines[0]!
    expect(line).not.toMatch(/[\x00-\x1f\x7f]/)
    expect(line).toMatch(/^- error: agent exited\s+with code 1\s+stack: x\[31mred$/)
    // Nothing of the error leaked onto a line of its own.
    expect(rendered).not.toMatch(/^with code 1/m)
    const parsed = parseFooter(`task\n${rendered}`)
    expect(parsed?.footer.error).toBe(line.slice("- error: ".length))
  })
})

describe("parseFooter", () => {
  it("reads back a delegated footer and the original text", () => {
    expect(parseFooter(appendFooter(original, delegated))).toStrictEqual({ original, footer: delegated })
  })

  it("reads back a local footer and the original text", () => {
    expect(parseFooter(appendFooter(original, local))).toStrictEqual({ original, footer: local })
  })

  it("reads a hand-written footer as DESIGN.md shows it", () => {
    const file = [
      "Do it.",
      "",
      "<!-- ccl:result -->",
      "## Result",
      "- status: failed",
      "- route: delegated",
      "- provider: gpu",
      "- job_id: j-1",
      "- finished_at: 2026-11-24T10:03:12Z",
      "- error: deadline of 2h exceeded",
      "",
    ].join("\n")
    expect(parseFooter(file)).toStrictEqual({
      original: "Do it.\n",
      footer: {
        status: "failed",
        route: "delegated",
        provider: "gpu",
        job_id: "j-1",
        finished_at: "2026-11-24T10:03:12Z",
        error: "deadline of 2h exceeded",
      },
    })
  })

  it("returns undefined for text without a footer", () => {
    expect(parseFooter("")).toBeUndefined()
    expect(parseFooter(original)).toBeUndefined()
    expect(parseFooter("## Result\n- status: completed\n- route: local\n")).toBeUndefined()
  })

  it("returns undefined when the marker is not followed by a well-formed footer", () => {
    expect(parseFooter(`${original}\n${FOOTER_MARKER}\nno header here\n`)).toBeUndefined()
    expect(
      parseFooter(`${original}\n${FOOTER_MARKER}\n## Result\n- status: done\n- route: local\n`),
    ).toBeUndefined()
    // finished_at is required
    expect(
      parseFooter(
        `${original}\n${FOOTER_MARKER}\n## Result\n- status: completed\n- route: local\n- provider: x\n`,
      ),
    ).toBeUndefined()
  })

  it("keeps a result text that itself contains a full fake footer as text", () => {
    const fake = renderFooter({
      status: "failed",
      route: "local",
      provider: "evil",
      finished_at: "never",
      error: "x",
    })
    const footer: ResultFooter = { ...delegated, text: `Here is a footer for you:\n${fake}\nthe end` }
    expect(parseFooter(appendFooter(original, footer))).toStrictEqual({ original, footer })
  })

  it("skips a marker in the original text that does not start a footer", () => {
    const tricky = `Write docs about the \`${FOOTER_MARKER}\` line.\n\n${FOOTER_MARKER}\nIt is followed by ## Result.\n`
    expect(parseFooter(appendFooter(tricky, local))).toStrictEqual({ original: tricky, footer: local })
  })

  it("skips a complete-looking footer in the original text that is followed by more prompt", () => {
    const tricky = `Intro\n${renderFooter(local).slice(1)}More prompt text on the next line.`
    expect(parseFooter(appendFooter(tricky, delegated))).toStrictEqual({
      original: tricky,
      footer: delegated,
    })
  })

  it("reads rejectedFooter back", () => {
    const footer = rejectedFooter(
      'frontmatter field "priority": got "x"',
      new Date(Date.UTC(2026, 10, 24, 10)),
    )
    expect(footer).toMatchObject({ status: "failed", finished_at: "2026-11-24T10:00:00.000Z" })
    expect(parseFooter(appendFooter("bad task\n", footer))).toStrictEqual({ original: "bad task\n", footer })
  })

  // U+2028/U+2029 are line terminators for JS regex `.`: render must flatten them like \n, or the field line
  // `- error: a\u2028b` stops matching and the whole footer becomes unreadable.
  it("reads back a footer whose error holds U+2028", () => {
    const footer: ResultFooter = { ...local, status: "failed", error: "line\u2028separator" }
    const parsed = parseFooter(appendFooter("task\n", footer))
    expect(parsed?.original).toBe("task\n")
    expect(parsed?.footer.status).toBe("failed")
  })
})

describe("round trip (property)", () => {
  // Pieces that make footer-like text likely: the marker, the header and field lines, at line starts or not.
  const piece = fc.oneof(
    { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        "\n",
        "\n\n",
        "\r\n",
        FOOTER_MARKER,
        `\n${FOOTER_MARKER}\n`,
        "## Result",
        "## Result\n",
        "- status: completed\n",
        "- status: failed",
        "- route: local\n",
        "- route: delegated\n",
        "- provider: gemini\n",
        "- error: boom\n",
        "- job_id: 1\n",
        "text",
      ),
    },
  )
  const anyText = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(""))

  // A full footer, finished_at included, for result texts (which may hold anything).
  const fakeFooter = fc.constantFrom(
    renderFooter(local),
    renderFooter(delegated),
    `${FOOTER_MARKER}\n## Result\n`,
  )
  const anyResultText = fc
    .array(fc.oneof(piece, fakeFooter), { minLength: 1, maxLength: 12 })
    .map((parts) => parts.join(""))
    .filter((s) => s !== "")

  // Single-line values: no CR/LF/TAB/C0/DEL and no Unicode line terminators (render flattens those).
  const oneLineValue = fc
    .string({ unit: "binary", maxLength: 30 })
    .map((s) => s.replace(/[\x00-\x1f\x7f\u0085\u2028\u2029]/g, ""))

  const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0))

  const footer: fc.Arbitrary<ResultFooter> = fc.record(
    {
      status: fc.constantFrom("completed" as const, "failed" as const),
      route: fc.constantFrom("local" as const, "delegated" as const),
      provider: oneLineValue,
      job_id: oneLineValue,
      session: oneLineValue,
      account: oneLineValue,
      attempt: fc.integer({ min: 0, max: 1_000_000 }),
      resume_id: oneLineValue,
      cost_usd: finite,
      started_at: oneLineValue,
      finished_at: oneLineValue,
      error: oneLineValue,
      text: anyResultText,
    },
    { requiredKeys: ["status", "route", "provider", "finished_at"] },
  )

  // An original that holds a complete footer (finished_at included) ending at a line break is
  // indistinguishable from a shorter original whose result text starts with a footer: the format has no
  // escaping, so the round trip is only promised for originals without a `- finished_at: ` line.
  const noFinishedAtLine = (s: string) => !/(^|\n)- finished_at: /.test(s)

  it.prop(
    "parseFooter(appendFooter(original, footer)) gives back original and footer",
    [anyText, footer],
    ([orig, f]) => {
      fc.pre(noFinishedAtLine(orig))
      expect(parseFooter(appendFooter(orig, f))).toStrictEqual({ original: orig, footer: f })
    },
    { fastCheck: { numRuns: 2000 } },
  )

  it.prop("the original may be any string", [fc.string({ unit: "binary" }), footer], ([orig, f]) => {
    fc.pre(noFinishedAtLine(orig))
    expect(parseFooter(appendFooter(orig, f))).toStrictEqual({ original: orig, footer: f })
  })

  // Values with anything in them, line breaks and control bytes included.
  const rawValue = fc
    .array(
      fc.oneof(
        fc.string({ unit: "binary", maxLength: 8 }),
        fc.constantFrom("\n", "\r\n", "\t", "\r", "\u001b[0m", "\u0000", "\u007f", `\n${FOOTER_MARKER}\n`),
      ),
      { maxLength: 6 },
    )
    .map((parts) => parts.join(""))
  const rawFooter: fc.Arbitrary<ResultFooter> = fc.record(
    {
      status: fc.constantFrom("completed" as const, "failed" as const),
      route: fc.constantFrom("local" as const, "delegated" as const),
      provider: rawValue,
      job_id: rawValue,
      session: rawValue,
      account: rawValue,
      finished_at: rawValue,
      error: rawValue,
    },
    { requiredKeys: ["status", "route", "provider", "finished_at"] },
  )

  it.prop("render puts each field on exactly one line, whatever its value", [rawFooter], ([f]) => {
    const lines = renderFooter(f).split("\n")
    expect(lines.slice(0, 3)).toEqual(["", FOOTER_MARKER, "## Result"])
    const fieldLines = lines.slice(3, -1)
    expect(lines.at(-1)).toBe("")
    expect(fieldLines.map((l) => /^- ([a-z_]+): /.exec(l)?.[1]).sort()).toEqual(Object.keys(f).sort())
    for (const line of fieldLines) expect(line).not.toMatch(/[\x00-\x1f\x7f]/)
    const parsed = parseFooter(appendFooter("task\n", f))
    expect(parsed?.original).toBe("task\n")
    expect(Object.keys(parsed?.footer ?? {}).sort()).toEqual(Object.keys(f).sort())
  })
})

describe("history of a retried task", () => {
  it("keeps the failed run's footer as history; the next footer is the one read, the prompt stops before both", () => {
    const original = "---\npriority: 1\n---\nFix it.\n"
    const failed = appendFooter(original, {
      status: "failed",
      route: "local",
      provider: "claude-code",
      finished_at: "2026-12-02T10:00:00.000Z",
      cause: "timeout",
      error: "timeout: past its timeout",
    })
    const requeued = footerAsHistory(failed)!
    expect(requeued).toContain("<!-- ccl:previous-result -->")
    expect(requeued).toContain("- cause: timeout")
    expect(parseFooter(requeued)).toBeUndefined()
    expect(withoutHistory(requeued)).toBe(original)
    const done = appendFooter(requeued, {
      status: "completed",
      route: "local",
      provider: "claude-code",
      finished_at: "2026-12-02T11:00:00.000Z",
    })
    const parsed = parseFooter(done)!
    expect(parsed.footer.status).toBe("completed")
    expect(parsed.original).toBe(requeued)
    expect(footerAsHistory(original)).toBeUndefined()
  })
})

describe("a delegated fallback", () => {
  it("says so on the route line and reads back", () => {
    const footer: ResultFooter = {
      status: "completed",
      route: "delegated",
      fallback: "accounts exhausted",
      provider: "gemini",
      job_id: "job-1",
      finished_at: "2026-12-02T12:00:00.000Z",
    }
    const text = appendFooter("Do it\n", footer)
    expect(text).toContain("- route: delegated (fallback: accounts exhausted)\n")
    expect(parseFooter(text)?.footer).toEqual(footer)
  })
})
