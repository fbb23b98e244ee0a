import { describe, expect, it } from "@effect/vitest"
import { checkCommandLine } from "../../src/domain/CommandLineCheck.js"
import type { CommandSpec, OptionSpec } from "../../src/domain/CommandSpec.js"
import { helpText, wrapWords } from "../../src/domain/HelpText.js"

const option = (name: string, over: Partial<OptionSpec> = {}): OptionSpec => ({
  names: [name],
  kind: "value",
  value: "text",
  placeholder: "TEXT",
  description: `the ${name.slice(2)} option, described at some length so that it has to wrap at least once here`,
  optional: true,
  repeated: false,
  ...over,
})

const add: CommandSpec = {
  name: "add",
  description: "Add a task",
  options: [
    option("--text"),
    option("--priority", { value: "integer", placeholder: "INTEGER" }),
    option("--complexity", { value: ["low", "medium", "high"], placeholder: "low|medium|high" }),
    option("--json", { kind: "flag" }),
  ],
  args: [{ name: "FILE", description: "task file", optional: true, repeated: false }],
  children: [],
}
const root: CommandSpec = {
  name: "ccl",
  description: "Claude Code pool",
  options: [],
  args: [],
  children: [{ name: "queue", description: "Tasks", options: [], args: [], children: [add] }],
}

const check = (line: string) => checkCommandLine(root, line === "" ? [] : line.split(" "))

describe("checkCommandLine", () => {
  it.each([
    ["queue add --text hi", "Run"],
    ["queue add --text=hi --priority -3 --json", "Run"],
    ["queue add --json true task.md", "Run"],
    // A value is the next word whatever it looks like; after --, every word is an argument.
    ["queue add --text --bogus", "Run"],
    ["queue add -- --bogus", "Run"],
    ["queue add -", "Run"],
    ["", "Help"],
    ["queue", "Help"],
    ["queue add --bogus --help", "Help"],
    ["queue --version", "Version"],
  ])("%s: %s", (line, tag) => expect(check(line)._tag).toBe(tag))

  it.each([
    ["queue add --bogus", "unknown flag --bogus (see ccl queue add --help)"],
    ["queue add --prio 3", "unknown flag --prio; did you mean --priority? (see ccl queue add --help)"],
    ["queue add --priority high", '--priority: "high" is not an integer'],
    ["queue add --priority=1.5", '--priority: "1.5" is not an integer'],
    ["queue add --complexity huge", '--complexity: "huge" is not one of low, medium, high'],
    ["queue add --text", "--text needs a value (TEXT) (see ccl queue add --help)"],
    ["queue add a.md b.md", 'unexpected argument "b.md" (see ccl queue add --help)'],
    ["queue ad", 'unknown command "ad"; did you mean add? (ccl queue commands: add)'],
    ["nope", 'unknown command "nope" (ccl commands: queue)'],
    ["--json queue add", "unknown flag --json (see ccl --help)"],
    ["queue add --completions tcsh", '--completions: "tcsh" is not one of bash, sh, fish, zsh'],
  ])("%s is bad usage: %s", (line, message) => expect(check(line)).toMatchObject({ _tag: "Bad", message }))

  it("knows where it went wrong and what was asked for", () => {
    expect(check("queue add --bogus")).toMatchObject({ path: ["queue", "add"] })
    expect(check("queue add --help")).toEqual({ _tag: "Help", path: ["queue", "add"] })
    expect(check("--completions bash")).toEqual({ _tag: "Completions", shell: "bash" })
    expect(check("queue add --wizard")).toEqual({ _tag: "Wizard", path: ["queue", "add"] })
  })
})

describe("helpText", () => {
  const options = { width: 80, color: false, version: "9.9.9" }

  it("shows the full command in USAGE, fits the width, and is plain without colour", () => {
    const text = helpText(["queue", "add"], add, options)
    expect(text).toContain("USAGE\n  ccl queue add [--text TEXT] [--priority INTEGER]")
    expect(text).toContain("[<FILE>]")
    expect(text).toContain("  <FILE>")
    // A term too wide for the first column puts its text on the next line, under the others'.
    expect(text).toMatch(/\n {2}--priority INTEGER {10}the priority option/)
    expect(text).toMatch(/\n {2}--complexity low\|medium\|high\n {30}the complexity option/)
    expect(text).not.toContain("\x1b")
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(80)
    for (const line of helpText(["queue", "add"], add, { ...options, width: 50 }).split("\n")) {
      expect(line.length).toBeLessThanOrEqual(50)
    }
  })

  it("lists a group's commands, the global options at the root only, and bold headings with colour", () => {
    const top = helpText([], root, options)
    expect(top.split("\n")[0]).toBe("ccl 9.9.9: Claude Code pool")
    expect(top).toMatch(/COMMANDS\n {2}queue {2,}Tasks/)
    expect(top).toContain("GLOBAL OPTIONS")
    expect(helpText(["queue"], root.children[0]!, options)).not.toContain("GLOBAL OPTIONS")
    expect(helpText([], root, { ...options, color: true })).toContain("\x1b[1mUSAGE\x1b[0m")
  })

  it("wrapWords keeps words whole", () => {
    expect(wrapWords(["aaa", "bb", "c", "dddddd"], 6)).toEqual(["aaa bb", "c", "dddddd"])
  })
})
