import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import type { Frontmatter } from "../../src/domain/Frontmatter.js"
import {
  type Decision,
  decide,
  decideFromStrings,
  frontmatterFromStrings,
  providerWord,
  type RouterSettings,
} from "../../src/domain/Route.js"

// DESIGN.md "Routing (Router)" and "Configuration": the default complexity map and provider list.
const enabled: RouterSettings = {
  delegationEnabled: true,
  providers: ["gpu", "gemini", "claude-api"],
  complexity: { low: "gpu", medium: "gemini", high: "claude-api" },
}
const disabled: RouterSettings = { ...enabled, delegationEnabled: false }
const customMap: RouterSettings = {
  ...enabled,
  complexity: { low: "gemini", medium: "claude-api", high: "gpu" },
}
// The default map points `high` at claude-api, which this platform does not offer.
const noClaudeApi: RouterSettings = { ...enabled, providers: ["gpu", "gemini"] }
const gpuOnly: RouterSettings = { ...enabled, providers: ["gpu"] }

interface Row {
  readonly name: string
  readonly fm: Frontmatter
  readonly settings: RouterSettings
  readonly route: "local" | "delegate"
  readonly provider: string
  readonly rule: number
  /** Words the one-line reason must contain. */
  readonly mentions?: ReadonlyArray<string>
}

const table: ReadonlyArray<Row> = [
  // 1. needs_claude_code: true -> local, whatever else is set
  {
    name: "needs_claude_code alone",
    fm: { needs_claude_code: true },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 1,
  },
  {
    name: "needs_claude_code beats preferred_ai gemini",
    fm: { needs_claude_code: true, preferred_ai: "gemini" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 1,
  },
  {
    name: "needs_claude_code beats allow_delegation + complexity_hint",
    fm: { needs_claude_code: true, allow_delegation: true, complexity_hint: "high" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 1,
  },
  {
    name: "needs_claude_code beats allow_delegation false and disabled delegation",
    fm: { needs_claude_code: true, allow_delegation: false },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 1,
  },
  {
    name: "needs_claude_code false does not force local",
    fm: { needs_claude_code: false, preferred_ai: "gemini" },
    settings: enabled,
    route: "delegate",
    provider: "gemini",
    rule: 5,
  },
  // 2. preferred_ai: claude-code -> local
  {
    name: "preferred_ai claude-code",
    fm: { preferred_ai: "claude-code" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 2,
  },
  {
    name: "preferred_ai claude-code beats allow_delegation true",
    fm: { preferred_ai: "claude-code", allow_delegation: true },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 2,
  },
  {
    name: "preferred_ai claude-code beats allow_delegation + complexity_hint",
    fm: { preferred_ai: "claude-code", allow_delegation: true, complexity_hint: "low" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 2,
  },
  {
    name: "preferred_ai claude-code beats disabled delegation",
    fm: { preferred_ai: "claude-code" },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 2,
  },
  // 3. allow_delegation: false -> local
  {
    name: "allow_delegation false",
    fm: { allow_delegation: false },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 3,
  },
  {
    name: "allow_delegation false beats preferred_ai gemini",
    fm: { allow_delegation: false, preferred_ai: "gemini" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 3,
  },
  {
    name: "allow_delegation false beats complexity_hint",
    fm: { allow_delegation: false, complexity_hint: "low" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 3,
  },
  {
    name: "allow_delegation false beats disabled delegation",
    fm: { allow_delegation: false, preferred_ai: "gpu" },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 3,
  },
  // 4. delegation disabled -> local
  {
    name: "disabled delegation beats preferred_ai gemini",
    fm: { preferred_ai: "gemini" },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 4,
  },
  {
    name: "disabled delegation beats allow_delegation + complexity_hint",
    fm: { allow_delegation: true, complexity_hint: "low" },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 4,
  },
  {
    name: "disabled delegation beats an unknown preferred_ai",
    fm: { preferred_ai: "mistral" },
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 4,
  },
  {
    name: "disabled delegation, empty frontmatter",
    fm: {},
    settings: disabled,
    route: "local",
    provider: "claude-code",
    rule: 4,
  },
  // 5. preferred_ai is a known remote provider -> delegate to it
  {
    name: "preferred_ai gemini",
    fm: { preferred_ai: "gemini" },
    settings: enabled,
    route: "delegate",
    provider: "gemini",
    rule: 5,
  },
  {
    name: "preferred_ai gpu",
    fm: { preferred_ai: "gpu" },
    settings: enabled,
    route: "delegate",
    provider: "gpu",
    rule: 5,
  },
  {
    name: "preferred_ai claude-api",
    fm: { preferred_ai: "claude-api" },
    settings: enabled,
    route: "delegate",
    provider: "claude-api",
    rule: 5,
  },
  {
    name: "preferred_ai with allow_delegation true",
    fm: { preferred_ai: "gemini", allow_delegation: true },
    settings: enabled,
    route: "delegate",
    provider: "gemini",
    rule: 5,
  },
  {
    name: "preferred_ai beats complexity_hint",
    fm: { preferred_ai: "gpu", allow_delegation: true, complexity_hint: "high" },
    settings: enabled,
    route: "delegate",
    provider: "gpu",
    rule: 5,
  },
  // 6. preferred_ai set but unknown -> local, and the reason says so
  {
    name: "unknown preferred_ai",
    fm: { preferred_ai: "mistral" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 6,
    mentions: ["mistral"],
  },
  {
    name: "unknown preferred_ai is not rescued by complexity_hint",
    fm: { preferred_ai: "mistral", allow_delegation: true, complexity_hint: "low" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 6,
    mentions: ["mistral"],
  },
  {
    name: "preferred_ai the platform does not offer",
    fm: { preferred_ai: "gemini" },
    settings: gpuOnly,
    route: "local",
    provider: "claude-code",
    rule: 6,
    mentions: ["gemini"],
  },
  // 7. no preferred_ai, allow_delegation true and a complexity_hint -> mapped provider
  {
    name: "complexity low, default map",
    fm: { allow_delegation: true, complexity_hint: "low" },
    settings: enabled,
    route: "delegate",
    provider: "gpu",
    rule: 7,
  },
  {
    name: "complexity medium, default map",
    fm: { allow_delegation: true, complexity_hint: "medium" },
    settings: enabled,
    route: "delegate",
    provider: "gemini",
    rule: 7,
  },
  {
    name: "complexity high, default map",
    fm: { allow_delegation: true, complexity_hint: "high" },
    settings: enabled,
    route: "delegate",
    provider: "claude-api",
    rule: 7,
  },
  {
    name: "complexity low, custom map",
    fm: { allow_delegation: true, complexity_hint: "low" },
    settings: customMap,
    route: "delegate",
    provider: "gemini",
    rule: 7,
  },
  {
    name: "complexity medium, custom map",
    fm: { allow_delegation: true, complexity_hint: "medium" },
    settings: customMap,
    route: "delegate",
    provider: "claude-api",
    rule: 7,
  },
  {
    name: "complexity high, custom map",
    fm: { allow_delegation: true, complexity_hint: "high" },
    settings: customMap,
    route: "delegate",
    provider: "gpu",
    rule: 7,
  },
  {
    // Fail-safe inside rule 7: the mapped provider is not offered, so the task stays local.
    name: "complexity mapped to a provider not in the providers list",
    fm: { allow_delegation: true, complexity_hint: "high" },
    settings: noClaudeApi,
    route: "local",
    provider: "claude-code",
    rule: 7,
    mentions: ["claude-api"],
  },
  // 8. otherwise -> local
  {
    name: "complexity_hint without allow_delegation",
    fm: { complexity_hint: "low" },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 8,
  },
  {
    name: "allow_delegation true without complexity_hint",
    fm: { allow_delegation: true },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 8,
  },
  { name: "empty frontmatter", fm: {}, settings: enabled, route: "local", provider: "claude-code", rule: 8 },
  {
    name: "only non-routing fields",
    fm: { priority: 5, timeout: 7_200_000, needs_claude_code: false },
    settings: enabled,
    route: "local",
    provider: "claude-code",
    rule: 8,
  },
]

const expectOneLineReason = (d: Decision) => {
  expect(d.reason.trim()).not.toBe("")
  expect(d.reason).not.toMatch(/[\r\n]/)
}

describe("decide", () => {
  it.each(table)("rule $rule: $name", (row) => {
    const d = decide(row.fm, row.settings)
    expect({ route: d.route, provider: d.provider, rule: d.rule }).toEqual({
      route: row.route,
      provider: row.provider,
      rule: row.rule,
    })
    expectOneLineReason(d)
    for (const word of row.mentions ?? []) expect(d.reason).toContain(word)
  })

  it("covers all eight rules in its table", () => {
    expect(new Set(table.map((r) => r.rule))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]))
  })

  it("gives different reasons for different rules", () => {
    const reasons = new Set(table.map((r) => decide(r.fm, r.settings).reason))
    expect(reasons.size).toBeGreaterThanOrEqual(8)
  })

  // The rule-6 reason quotes preferred_ai, so a value with a newline (valid YAML: `preferred_ai: "gem\nini"`)
  // still gives a one-line reason (DESIGN.md "Every decision carries a one-line human reason").
  it("keeps the reason on one line when preferred_ai holds a newline", () => {
    const d = decide({ preferred_ai: "gem\nini" }, enabled)
    expect(d.route).toBe("local")
    expect(d.reason).not.toMatch(/[\r\n]/)
  })
})

describe("providerWord", () => {
  it("is `local` for a local decision, whatever its provider", () => {
    expect(providerWord(decide({ needs_claude_code: true }, enabled))).toBe("local")
    expect(providerWord({ route: "local", provider: "claude-code", reason: "r", rule: 8 })).toBe("local")
  })

  it("is the provider for a delegated decision", () => {
    expect(providerWord(decide({ preferred_ai: "gemini" }, enabled))).toBe("gemini")
    expect(providerWord(decide({ allow_delegation: true, complexity_hint: "low" }, enabled))).toBe("gpu")
    expect(providerWord({ route: "delegate", provider: "claude-api", reason: "r", rule: 5 })).toBe(
      "claude-api",
    )
  })
})

const right = <A, E>(e: Either.Either<A, E>): A => {
  if (Either.isLeft(e)) throw new Error(`expected Right, got Left: ${JSON.stringify(e.left)}`)
  return e.right
}
const leftReason = <A>(e: Either.Either<A, { readonly reason: string }>): string => {
  if (Either.isRight(e)) throw new Error(`expected Left, got Right: ${JSON.stringify(e.right)}`)
  return e.left.reason
}

describe("frontmatterFromStrings", () => {
  const booleans = [
    { word: "true", value: true },
    { word: "false", value: false },
    { word: "yes", value: true },
    { word: "no", value: false },
    { word: "1", value: true },
    { word: "0", value: false },
  ] as const

  describe.each(["allow_delegation", "needs_claude_code"] as const)("boolean field %s", (key) => {
    it.each(booleans)("reads $word as $value", ({ word, value }) => {
      expect(right(frontmatterFromStrings({ [key]: word }))).toStrictEqual({ [key]: value })
    })

    it.each(["maybe", "on", "2", "", "truee"])("rejects %j, naming the field and the value", (word) => {
      const reason = leftReason(frontmatterFromStrings({ [key]: word }))
      expect(reason).toContain(key)
      expect(reason).toContain(JSON.stringify(word))
      expect(reason).toMatch(/true or false/)
    })
  })

  it.each([
    { raw: "5", value: 5 },
    { raw: "0", value: 0 },
    { raw: "-3", value: -3 },
    { raw: "42", value: 42 },
  ])("reads priority $raw as the integer $value", ({ raw, value }) => {
    expect(right(frontmatterFromStrings({ priority: raw }))).toStrictEqual({ priority: value })
  })

  it.each(["high", "1.5", "", "5x"])("rejects priority %j, naming the field and the value", (raw) => {
    const reason = leftReason(frontmatterFromStrings({ priority: raw }))
    expect(reason).toContain("priority")
    expect(reason).toContain(JSON.stringify(raw))
    expect(reason).toMatch(/integer/)
  })

  it("reads the string fields and the timeout", () => {
    expect(
      right(
        frontmatterFromStrings({
          preferred_ai: "gemini",
          complexity_hint: "medium",
          timeout: "2h",
        }),
      ),
    ).toStrictEqual({ preferred_ai: "gemini", complexity_hint: "medium", timeout: 7_200_000 })
  })

  it("keeps an unknown preferred_ai (the router decides what to do with it)", () => {
    expect(right(frontmatterFromStrings({ preferred_ai: "mistral" }))).toStrictEqual({
      preferred_ai: "mistral",
    })
  })

  it("rejects a bad complexity_hint", () => {
    const reason = leftReason(frontmatterFromStrings({ complexity_hint: "extreme" }))
    expect(reason).toContain("complexity_hint")
    expect(reason).toContain('"extreme"')
  })

  it("reads an empty map as an empty frontmatter", () => {
    expect(right(frontmatterFromStrings({}))).toStrictEqual({})
  })

  it.each(["prefered_ai", "allow-delegation", "foo", "Priority"])("rejects the unknown key %j", (key) => {
    const reason = leftReason(frontmatterFromStrings({ [key]: "x" }))
    expect(reason).toContain(key)
    expect(reason).toMatch(/unknown/)
  })

  it("rejects an unknown key even beside valid ones", () => {
    expect(Either.isLeft(frontmatterFromStrings({ preferred_ai: "gemini", prefered_ai: "gpu" }))).toBe(true)
  })
})

describe("decideFromStrings", () => {
  it.each([
    { fields: { preferred_ai: "gemini" }, word: "gemini", rule: 5 },
    { fields: { preferred_ai: "gemini", needs_claude_code: "yes" }, word: "local", rule: 1 },
    { fields: { preferred_ai: "gpu", allow_delegation: "no" }, word: "local", rule: 3 },
    { fields: { allow_delegation: "1", complexity_hint: "medium" }, word: "gemini", rule: 7 },
    { fields: { allow_delegation: "true", complexity_hint: "high" }, word: "claude-api", rule: 7 },
    { fields: { complexity_hint: "low" }, word: "local", rule: 8 },
    { fields: { preferred_ai: "mistral" }, word: "local", rule: 6 },
    { fields: {}, word: "local", rule: 8 },
  ])("$fields -> $word (rule $rule)", ({ fields, word, rule }) => {
    const d = right(decideFromStrings(fields, enabled))
    expect(providerWord(d)).toBe(word)
    expect(d.rule).toBe(rule)
    expectOneLineReason(d)
  })

  it("routes locally when delegation is disabled", () => {
    const d = right(decideFromStrings({ preferred_ai: "gemini" }, disabled))
    expect(providerWord(d)).toBe("local")
    expect(d.rule).toBe(4)
  })

  it("passes input errors through instead of deciding", () => {
    expect(leftReason(decideFromStrings({ allow_delegation: "perhaps" }, enabled))).toContain(
      "allow_delegation",
    )
    expect(leftReason(decideFromStrings({ preferred: "gemini" }, enabled))).toContain("preferred")
  })
})
