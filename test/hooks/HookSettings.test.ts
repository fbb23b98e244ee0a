import { describe, expect, it } from "@effect/vitest"
import { HookEvents, mergeHookSettings, shellQuote } from "../../src/domain/HookSettings.js"

const cmd = (event: string) => `/usr/bin/node /opt/ccl/dist/ccl.mjs hook ${event}`

describe("mergeHookSettings", () => {
  it("adds one command hook per event to empty settings", () => {
    const r = mergeHookSettings({}, cmd)!
    expect(r.changed).toBe(true)
    for (const e of HookEvents) {
      expect(r.settings.hooks).toHaveProperty(e, [{ hooks: [{ type: "command", command: cmd(e) }] }])
    }
  })

  it("keeps the user's settings and hooks, and is idempotent", () => {
    const user = {
      model: "opus",
      permissions: { allow: ["Bash(ls)"] },
      hooks: { Stop: [{ matcher: "", hooks: [{ type: "command", command: "notify-send done" }] }] },
    }
    const once = mergeHookSettings(user, cmd)!
    expect(once.settings.model).toBe("opus")
    expect(once.settings.permissions).toEqual({ allow: ["Bash(ls)"] })
    const stop = (once.settings.hooks as Record<string, Array<{ hooks: Array<{ command: string }> }>>).Stop!
    expect(stop.flatMap((g) => g.hooks.map((h) => h.command))).toEqual(["notify-send done", cmd("Stop")])
    expect(user.hooks.Stop).toHaveLength(1) // the input is not mutated
    const twice = mergeHookSettings(once.settings, cmd)!
    expect(twice.changed).toBe(false)
    expect(twice.settings).toEqual(once.settings)
  })

  it("updates a ccl hook from an older install path instead of adding a second one", () => {
    const old = {
      hooks: { Stop: [{ hooks: [{ type: "command", command: "node /old/place/dist/ccl.mjs hook Stop" }] }] },
    }
    const r = mergeHookSettings(old, cmd)!
    const stop = (r.settings.hooks as Record<string, Array<{ hooks: Array<{ command: string }> }>>).Stop!
    expect(stop.flatMap((g) => g.hooks.map((h) => h.command))).toEqual([cmd("Stop")])
  })

  it.each([[null], [[]], ["text"], [{ hooks: [] }], [{ hooks: "x" }]])("refuses %j", (bad) => {
    expect(mergeHookSettings(bad, cmd)).toBeUndefined()
  })
})

describe("shellQuote", () => {
  it.each([
    ["/usr/bin/node", "/usr/bin/node"],
    ["/path with space/ccl.mjs", "'/path with space/ccl.mjs'"],
    ["it's", "'it'\\''s'"],
    ["$(rm -rf ~)", "'$(rm -rf ~)'"],
  ])("%s -> %s", (word, quoted) => expect(shellQuote(word)).toBe(quoted))
})
