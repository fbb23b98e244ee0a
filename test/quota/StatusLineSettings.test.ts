// ccl's statusLine in settings.json (issue 14 "Quota intake"): install keeps the operator's own statusLine inside
// ccl's command, a second install never nests it, uninstall gives it back exactly (other fields included).

import { describe, expect, it } from "vitest"
import { operatorCommandOf, statusLineCommand } from "../../src/domain/StatusLineCommand.js"
import { mergeStatusLine, removeStatusLine } from "../../src/domain/StatusLineSettings.js"

const build = (operator: string | undefined) => statusLineCommand("main", "/srv/ccl state", operator)
const merged = (settings: Record<string, unknown>) => {
  const m = mergeStatusLine(settings, build)
  if (m._tag !== "Merged") throw new Error(m.reason)
  return m
}

describe("the statusLine in settings.json", () => {
  it("installs ccl's command where there was none, and uninstall removes it entirely", () => {
    const m = merged({ model: "opus" })
    expect(m.changed).toBe(true)
    expect(m.settings).toEqual({ model: "opus", statusLine: { type: "command", command: build(undefined) } })
    expect(merged(m.settings).changed).toBe(false)
    const r = removeStatusLine(m.settings)
    expect(r).toEqual({ settings: { model: "opus" }, removed: true, restored: false })
  })

  it("keeps an operator's statusLine inside ccl's, never nests it on reinstall, and restores it exactly", () => {
    const operator = `~/bin/line.sh --sep ' | ' "$(whoami)" 'it'"'"'s'`
    const original = { statusLine: { type: "command", command: operator, padding: 2 }, theme: "dark" }
    const first = merged(structuredClone(original))
    const line = first.settings.statusLine as { command: string; padding: number }
    expect(line.command).toBe(build(operator))
    expect(line.padding).toBe(2)
    expect(operatorCommandOf(line.command)).toBe(operator)
    // Installed again (another state folder, say): still the operator's command inside, once.
    const again = mergeStatusLine(first.settings, (o) => statusLineCommand("main", "/elsewhere", o))
    expect(
      again._tag === "Merged" &&
        operatorCommandOf((again.settings.statusLine as { command: string }).command),
    ).toBe(operator)
    const removed = removeStatusLine(first.settings)
    expect(removed.restored).toBe(true)
    expect(removed.settings).toEqual(original)
    expect(JSON.stringify(removed.settings)).toBe(JSON.stringify(original))
  })

  it("leaves a statusLine that is not a command alone, and uninstall leaves one that is not ccl's", () => {
    expect(mergeStatusLine({ statusLine: { type: "static", text: "x" } }, build)._tag).toBe("Kept")
    expect(mergeStatusLine({ statusLine: "echo hi" }, build)._tag).toBe("Kept")
    const mine = { statusLine: { type: "command", command: "echo mine" } }
    expect(removeStatusLine(mine)).toEqual({ settings: mine, removed: false, restored: false })
  })

  it("reads the operator's command back only from a ccl command", () => {
    expect(operatorCommandOf("echo '# ccl statusline'")).toBeNull()
    expect(operatorCommandOf(build(undefined))).toBeUndefined()
    expect(operatorCommandOf(build("plain-word"))).toBe("plain-word")
  })
})
