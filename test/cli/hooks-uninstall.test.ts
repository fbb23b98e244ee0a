// `ccl hooks uninstall`: exactly what `ccl hooks install` added leaves each account's settings.json; the
// operator's own hooks and settings stay, and the file as it was is kept beside it.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const setUp = () => {
  const cwd = tempDir()
  const main = path.join(cwd, "homes", "main")
  const backup = path.join(cwd, "homes", "backup")
  writeFileSync(
    path.join(cwd, "ccl.yaml"),
    `accounts:\n  - { name: main, home: ${main} }\n  - { name: backup, home: ${backup} }\n`,
  )
  mkdirSync(main, { recursive: true })
  return { cwd, main, backup }
}
const read = (home: string) => JSON.parse(readFileSync(path.join(home, "settings.json"), "utf8"))
const backups = (home: string) => readdirSync(home).filter((f) => f.startsWith("settings.json.bak."))

describe("ccl hooks uninstall", () => {
  it("removes ccl's hooks, keeps the operator's (added after install) and their settings, with a backup", () => {
    const { cwd, main, backup } = setUp()
    const before = {
      model: "opus",
      permissions: { allow: ["Bash(ls)"] },
      hooks: { PreToolUse: [{ matcher: "Bash", hooks: [{ type: "command", command: "audit-bash" }] }] },
    }
    writeFileSync(path.join(main, "settings.json"), JSON.stringify(before))
    expect(runCcl(["hooks", "install"], { cwd }).code).toBe(0)
    // The operator adds hooks of their own by hand: in a group of ccl's event, and in one of their own.
    const installed = read(main)
    installed.hooks.Stop.push({ hooks: [{ type: "command", command: "notify-send done" }] })
    installed.hooks.Notification[0].hooks.push({ type: "command", command: "say hello" })
    writeFileSync(path.join(main, "settings.json"), JSON.stringify(installed, null, 2))
    const withOperator = readFileSync(path.join(main, "settings.json"), "utf8")
    const backupsBefore = backups(main)

    const r = runCcl(["hooks", "uninstall"], { cwd })
    expect(r.code).toBe(0)
    const after = read(main)
    expect(after).toEqual({
      ...before,
      hooks: {
        ...before.hooks,
        Stop: [{ hooks: [{ type: "command", command: "notify-send done" }] }],
        Notification: [{ hooks: [{ type: "command", command: "say hello" }] }],
      },
    })
    expect(JSON.stringify(after)).not.toContain("ccl")
    // The file as it was before the uninstall, beside it, and named in the output.
    const made = backups(main).filter((f) => !backupsBefore.includes(f))
    expect(made).toHaveLength(1)
    expect(readFileSync(path.join(main, made[0]!), "utf8")).toBe(withOperator)
    expect(r.stdout).toContain(
      `main: 5 ccl hooks and its statusLine removed from ${path.join(main, "settings.json")} (backup: ${path.join(main, made[0]!)})`,
    )
    // An account whose settings.json held only ccl's hooks is left with none: `hooks` goes too.
    expect(read(backup)).toEqual({})
    expect(r.stdout).toContain("backup: 5 ccl hooks and its statusLine removed")

    // Nothing left to remove: no change, no new backup.
    const again = runCcl(["hooks", "uninstall", "--account", "main"], { cwd })
    expect(again.code).toBe(0)
    expect(again.stdout).toContain("main: no ccl hooks in")
    expect(backups(main).filter((f) => !backupsBefore.includes(f))).toHaveLength(1)
  })

  it("an invalid settings.json is left alone (exit 2 naming it); an account without one is fine", () => {
    const { cwd, main, backup } = setUp()
    writeFileSync(path.join(main, "settings.json"), "{ not json")
    const r = runCcl(["hooks", "uninstall", "--account", "main"], { cwd })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(path.join(main, "settings.json"))
    expect(readFileSync(path.join(main, "settings.json"), "utf8")).toBe("{ not json")
    const none = runCcl(["hooks", "uninstall", "--account", "backup"], { cwd })
    expect(none.code).toBe(0)
    expect(existsSync(path.join(backup, "settings.json"))).toBe(false)
    expect(runCcl(["hooks", "uninstall", "--account", "nobody"], { cwd }).code).toBe(2)
  })
})
