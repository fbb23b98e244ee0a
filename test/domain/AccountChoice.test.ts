import { describe, expect, it } from "vitest"
import { chooseTarget, cooldownUntil, DEFAULT_COOLDOWN_MS } from "../../src/domain/AccountChoice.js"

const accounts = [
  { name: "main", home: "/h/main" },
  { name: "backup", home: "/h/backup" },
  { name: "third", home: "/h/third" },
]
const now = Date.parse("2026-11-24T10:00:00Z")
const later = (h: number) => new Date(now + h * 3_600_000).toISOString()

describe("chooseTarget", () => {
  it("takes the next account in config order", () => {
    expect(chooseTarget({ accounts, active: "main", cooldowns: { main: later(5) }, now })).toEqual({
      kind: "swap",
      to: accounts[1],
    })
  })

  it("skips accounts still cooling down and wraps round", () => {
    const choice = chooseTarget({
      accounts,
      active: "third",
      cooldowns: { third: later(1), main: later(2) },
      now,
    })
    expect(choice).toEqual({ kind: "swap", to: accounts[1] })
  })

  it("treats a cooldown already over as free", () => {
    const choice = chooseTarget({
      accounts,
      active: "backup",
      cooldowns: { backup: later(3), third: later(-1) },
      now,
    })
    expect(choice).toEqual({ kind: "swap", to: accounts[2] })
  })

  it("waits for the earliest reset when every account is cooling down", () => {
    const choice = chooseTarget({
      accounts,
      active: "main",
      cooldowns: { main: later(5), backup: later(2), third: later(4) },
      now,
    })
    expect(choice).toEqual({ kind: "wait", until: now + 2 * 3_600_000, to: accounts[1] })
  })

  it("a single spent account waits for its own reset", () => {
    const choice = chooseTarget({
      accounts: [accounts[0]!],
      active: "main",
      cooldowns: { main: later(1) },
      now,
    })
    expect(choice).toEqual({ kind: "wait", until: now + 3_600_000, to: accounts[0] })
  })

  it("refuses an operator swap when the others are cooling down and the active one is fine", () => {
    const choice = chooseTarget({
      accounts: accounts.slice(0, 2),
      active: "main",
      cooldowns: { backup: later(1) },
      now,
    })
    expect(choice.kind).toBe("refused")
    expect(choice.kind === "refused" && choice.reason).toContain("backup until")
  })

  it("honours --to, refusing unknown names and the active account", () => {
    expect(chooseTarget({ accounts, active: "main", cooldowns: {}, now, requested: "third" })).toEqual({
      kind: "swap",
      to: accounts[2],
    })
    // A cooling account asked for by name: refused unless forced.
    const cooling = { third: new Date(now + 60_000).toISOString() }
    const refused = chooseTarget({ accounts, active: "main", cooldowns: cooling, now, requested: "third" })
    expect(refused.kind === "refused" && refused.reason).toMatch(
      /account third is cooling down until .*--force/,
    )
    expect(
      chooseTarget({ accounts, active: "main", cooldowns: cooling, now, requested: "third", force: true })
        .kind,
    ).toBe("swap")
    const unknown = chooseTarget({ accounts, active: "main", cooldowns: {}, now, requested: "nope" })
    expect(unknown.kind === "refused" && unknown.reason).toContain('no account named "nope"')
    expect(chooseTarget({ accounts, active: "main", cooldowns: {}, now, requested: "main" }).kind).toBe(
      "refused",
    )
  })

  it("refuses with no accounts", () => {
    expect(chooseTarget({ accounts: [], active: undefined, cooldowns: {}, now }).kind).toBe("refused")
  })

  it("starts from the first account when none is active yet", () => {
    expect(chooseTarget({ accounts, active: undefined, cooldowns: {}, now })).toEqual({
      kind: "swap",
      to: accounts[1],
    })
  })
})

describe("cooldownUntil", () => {
  it("uses the parsed reset time, else the default", () => {
    expect(cooldownUntil(now + 60_000, now)).toBe(now + 60_000)
    expect(cooldownUntil(undefined, now)).toBe(now + DEFAULT_COOLDOWN_MS)
    expect(cooldownUntil(now - 1, now)).toBe(now + DEFAULT_COOLDOWN_MS)
  })
})
