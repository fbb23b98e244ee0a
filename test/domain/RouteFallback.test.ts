import { describe, expect, it } from "@effect/vitest"
import { fallbackProvider, type RouterSettings } from "../../src/domain/Route.js"

const settings: RouterSettings = {
  delegationEnabled: true,
  providers: ["gpu", "gemini", "claude-api"],
  complexity: { low: "gpu", medium: "gemini", high: "claude-api" },
}

describe("fallbackProvider: where a task goes while every account is spent", () => {
  it("never a task that needs Claude Code or refuses delegation", () => {
    for (const fm of [
      { needs_claude_code: true },
      { preferred_ai: "claude-code" },
      { allow_delegation: false },
    ])
      expect(fallbackProvider(fm, settings, "gemini")).toBeUndefined()
  })

  it("its hint's provider, else the configured fallback; an unknown name or none: it waits", () => {
    expect(fallbackProvider({ preferred_ai: "gpu" }, settings, "gemini")).toBe("gpu")
    expect(fallbackProvider({ complexity_hint: "high" }, settings, "gemini")).toBe("claude-api")
    expect(fallbackProvider({}, settings, "gemini")).toBe("gemini")
    expect(fallbackProvider({}, settings, undefined)).toBeUndefined()
    expect(fallbackProvider({ preferred_ai: "mystery" }, settings, "gemini")).toBeUndefined()
    expect(fallbackProvider({}, { ...settings, delegationEnabled: false }, "gemini")).toBeUndefined()
  })
})
