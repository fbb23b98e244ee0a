// The command line itself, through the built binary: usage errors as one `ccl:` line (exit 2), --help on every
// command, --version, --wizard without a terminal, and the bash completion script.

import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, readdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { CCL, runCcl, runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const ESC = "\x1b"

/** The subcommands a help text lists under COMMANDS (their names start the lines indented by two). */
const listedCommands = (help: string) => {
  const section = help.split("\n\n").find((s) => s.startsWith("COMMANDS\n")) ?? ""
  return section
    .split("\n")
    .slice(1)
    .flatMap((line) => /^ {2}(\S+)/.exec(line)?.[1] ?? [])
}

describe("usage errors: one `ccl:` line naming what is wrong, exit 2", () => {
  it.each([
    // An unknown flag is not read as the FILE argument.
    [["queue", "add", "--bogus"], /^ccl: queue add: unknown flag --bogus \(see ccl queue add --help\)$/],
    [["queue", "add", "--prio", "3"], /^ccl: queue add: unknown flag --prio; did you mean --priority\?/],
    [
      ["queue", "add", "--text", "x", "--priority", "high"],
      /^ccl: queue add: --priority: "high" is not an integer$/,
    ],
    [
      ["queue", "add", "--complexity", "huge"],
      /^ccl: queue add: --complexity: "huge" is not one of low, medium, high$/,
    ],
    [["queue", "add", "--priority"], /^ccl: queue add: --priority needs a value \(INTEGER\)/],
    [["queue", "show"], /^ccl: queue show: missing argument <ID> \(see ccl queue show --help\)$/],
    [["nope"], /^ccl: unknown command "nope" \(ccl commands: init, queue, .*\)$/],
    [
      ["queue", "lst"],
      /^ccl: queue: unknown command "lst"; did you mean list\? \(ccl queue commands: add, list, /,
    ],
    [["status", "extra"], /^ccl: status: unexpected argument "extra" \(see ccl status --help\)$/],
    [["decide", "--bogus"], /^ccl: decide: unknown flag --bogus/],
  ])("ccl %j", (args, line) => {
    const dir = tempDir()
    const r = runCcl(args, { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr.endsWith("\n")).toBe(true)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(r.stderr.trimEnd()).toMatch(line)
    expect(r.stderr).not.toContain(ESC)
  })

  it("queue add --bogus adds nothing", () => {
    const dir = tempDir()
    expect(runCcl(["init", "--dir", dir], { cwd: dir }).code).toBe(0)
    writeFileSync(path.join(dir, "--bogus"), "a task that must not be read\n")
    expect(runCcl(["queue", "add", "--bogus"], { cwd: dir }).code).toBe(2)
    const pending = path.join(dir, "queue", "pending")
    expect(existsSync(pending) ? readdirSync(pending) : []).toEqual([])
  })

  it("--wizard without a terminal", () => {
    const r = runCcl(["queue", "add", "--wizard"], { cwd: tempDir() })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      "ccl: queue add: --wizard asks questions: run it in a terminal, not from a pipe or a script\n",
    )
  })
})

describe("--help and --version", () => {
  it("every command's help: plain on a pipe, at most 80 columns, USAGE with the full command", async () => {
    const cwd = tempDir()
    const seen: Array<string> = []
    let level: Array<Array<string>> = [[]]
    while (level.length > 0) {
      // A few at a time: dozens of node processes at once on 2 busy cores can outlast runCclAsync's kill timer.
      const helps: Array<Awaited<ReturnType<typeof runCclAsync>>> = []
      for (let at = 0; at < level.length; at += 4)
        helps.push(
          ...(await Promise.all(level.slice(at, at + 4).map((p) => runCclAsync([...p, "--help"], { cwd })))),
        )
      const next: Array<Array<string>> = []
      for (const [i, r] of helps.entries()) {
        const commandPath = level[i]!
        const name = ["ccl", ...commandPath].join(" ")
        seen.push(name)
        expect(r.code, name).toBe(0)
        expect(r.stderr, name).toBe("")
        expect(r.stdout, name).not.toContain(ESC)
        for (const line of r.stdout.split("\n"))
          expect(line.length, `${name}: ${line}`).toBeLessThanOrEqual(80)
        expect(r.stdout, name).toMatch(new RegExp(`\\nUSAGE\\n {2}${name}( |\\n)`))
        for (const child of listedCommands(r.stdout)) next.push([...commandPath, child])
      }
      level = next
    }
    expect(seen).toEqual(
      expect.arrayContaining(["ccl", "ccl queue", "ccl queue add", "ccl status", "ccl completion"]),
    )
    // -h is --help; a group alone shows its help.
    expect(runCcl(["queue", "add", "-h"], { cwd }).stdout).toBe(
      runCcl(["queue", "add", "--help"], { cwd }).stdout,
    )
    expect(runCcl(["queue"], { cwd })).toMatchObject({
      code: 0,
      stdout: runCcl(["queue", "--help"], { cwd }).stdout,
    })
    // A hang guard, not a time budget: one process per command (over 50), a few seconds each on a loaded 2-core box.
  }, 180_000)

  it.skipIf(spawnSync("script", ["--version"]).status !== 0)(
    "on a terminal: bold headings, unless NO_COLOR is set",
    () => {
      const onTty = (env: Record<string, string>) =>
        execFileSync("script", ["-qec", `${process.execPath} ${CCL} queue add --help`, "/dev/null"], {
          encoding: "utf8",
          env: { PATH: process.env.PATH ?? "", TERM: "xterm", ...env },
        })
      expect(onTty({})).toContain(`${ESC}[1mUSAGE${ESC}[0m`)
      expect(onTty({ NO_COLOR: "1" })).not.toContain(ESC)
    },
  )

  it("--version prints one line, for ccl and for any command", () => {
    const cwd = tempDir()
    expect(runCcl(["--version"], { cwd })).toMatchObject({ code: 0, stdout: "ccl 0.1.0\n", stderr: "" })
    expect(runCcl(["queue", "add", "--version"], { cwd }).stdout).toBe("ccl 0.1.0\n")
  })
})

describe("bash completion", () => {
  const script = () => {
    const dir = tempDir()
    const r = runCcl(["completion", "bash"], { cwd: dir })
    expect(r.code).toBe(0)
    const file = path.join(dir, "ccl-completion.bash")
    writeFileSync(file, r.stdout)
    return { dir, file, text: r.stdout }
  }

  /** What bash offers for the words typed so far (the last one is the word being completed). */
  const complete = (file: string, words: ReadonlyArray<string>) =>
    execFileSync(
      "bash",
      [
        "-c",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash, not a template
        'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _ccl_complete; printf "%s\\n" "${COMPREPLY[@]}"',
        file,
        "ccl",
        ...words,
      ],
      { encoding: "utf8" },
    )
      .split("\n")
      .filter((w) => w !== "")

  it("completes nested commands, their flags and the values of a choice", () => {
    const { file } = script()
    expect(complete(file, ["queue", "add", "--pr"])).toEqual(["--priority", "--preferred-ai"])
    expect(complete(file, ["queue", "a"])).toEqual(["add"])
    expect(complete(file, ["qu"])).toEqual(["queue"])
    expect(complete(file, ["queue", "add", "--complexity", ""])).toEqual(["low", "medium", "high"])
    // An option's value is skipped, not taken for a command: --text's "list" is not `queue list`.
    expect(complete(file, ["queue", "add", "--text", "list", "--js"])).toEqual(["--json"])
    expect(complete(file, ["status", "--wa"])).toEqual(["--watch"])
  })

  it("--completions bash is the same script", () => {
    const { dir, text } = script()
    expect(runCcl(["--completions", "bash"], { cwd: dir }).stdout).toBe(text)
  })
})
