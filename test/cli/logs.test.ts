// `ccl logs` and the daemon's log file: a real daemon (private tmux, simulated agents) writing <state>/daemon.log,
// the built CLI reading it, and rotated files read back and followed.

import { spawn } from "node:child_process"
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it, onTestFinished } from "vitest"
import { CCL, runCcl, runCclAsync } from "../support/cli.js"
import { daemonProject } from "../support/daemonProject.js"
import { tempDir } from "../support/tempDir.js"
import { eventually } from "../support/tmux.js"

const PLAIN = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARN|ERROR|FATAL) \S/

const project = (yaml = "") => {
  const dir = tempDir()
  writeFileSync(path.join(dir, "ccl.yaml"), `queue: ./queue\nstate: ./state\n${yaml}`)
  mkdirSync(path.join(dir, "state"), { recursive: true })
  return { dir, log: path.join(dir, "state", "daemon.log") }
}

const line = (n: number, level = "INFO") =>
  `2026-12-02T14:00:${String(n).padStart(2, "0")}.000Z ${level} line ${n}`

describe("the daemon's log file", () => {
  it("the daemon writes plain lines (time, level, message; no fiber id) to <state>/daemon.log and stdout; ccl logs prints them, --json as objects", async () => {
    const p = await daemonProject({ poolSize: 1, workMs: 100, token: "t-logs" })
    const log = path.join(p.dir, "state", "daemon.log")
    const daemon = p.start()
    const started = await eventually(
      () =>
        existsSync(log) ? readFileSync(log, "utf8").match(/^.* INFO ccl daemon \d+: .*$/m)?.[0] : undefined,
      20_000,
      () => p.log(),
    )
    expect(started).toMatch(PLAIN)
    expect(started).toContain(`ccl daemon ${daemon.pid}: 1 sessions`)
    expect(p.log()).toContain(started) // the same line on stdout
    expect(p.log()).not.toMatch(/fiber=|level=/)

    // The daemon goes on logging while ccl logs reads (its session comes up): what it prints was the file's last
    // line at some moment between the reads around it.
    const readLines = () => readFileSync(log, "utf8").trimEnd().split("\n")
    const before = readLines()
    const last = await p.ccl(["logs", "-n", "1"])
    expect(last.code).toBe(0)
    const lines = readLines()
    expect(lines.slice(before.length - 1)).toContain(last.stdout.replace(/\n$/, ""))
    expect(last.stdout.endsWith("\n")).toBe(true)
    for (const l of lines) expect(l).toMatch(PLAIN)

    const json = await p.ccl(["logs", "--json"])
    expect(json.code).toBe(0)
    const entries = json.stdout
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l))
    const afterJson = readLines()
    expect(entries.length).toBeGreaterThanOrEqual(lines.length)
    expect(entries.length).toBeLessThanOrEqual(afterJson.length)
    expect(entries.map((e) => `${e.at} ${e.level} ${e.message}`)).toEqual(afterJson.slice(0, entries.length))
    expect(entries).toContainEqual({
      at: started.slice(0, 24),
      level: "INFO",
      message: started.slice(30),
    })

    expect(await p.stop()).toBe(0)
    // The shutdown says so, last.
    const after = readFileSync(log, "utf8").trimEnd().split("\n")
    expect(after.some((l) => l.includes(`ccl daemon ${daemon.pid} shutting down`))).toBe(true)
    expect(after.at(-1)).toMatch(
      new RegExp(`INFO ccl daemon ${daemon.pid} stopped: 1 sessions left running for the next start`),
    )
  }, 60_000)
})

describe("ccl logs", () => {
  it("no log yet: exit 2, one line saying where it looked", () => {
    const { dir, log } = project()
    const r = runCcl(["logs"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^ccl: no daemon log at /)
    expect(r.stderr).toContain(log)
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1)
    expect(runCcl(["logs", "-f"], { cwd: dir }).code).toBe(2)
  })

  it("-n N prints the last N lines, reaching into the rotated files (oldest first); --json parses the cause", () => {
    const { dir, log } = project("log: { keep: 2 }")
    writeFileSync(`${log}.2`, `${line(1)}\n${line(2)}\n`)
    writeFileSync(
      `${log}.1`,
      `${line(3)}\n${line(4, "WARN")} | cause: tmux send-keys failed (exit 1): no pane\n`,
    )
    writeFileSync(log, `${line(5)}\n`)
    const r = runCcl(["logs", "-n", "4"], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout.trimEnd().split("\n")).toEqual([
      line(2),
      line(3),
      `${line(4, "WARN")} | cause: tmux send-keys failed (exit 1): no pane`,
      line(5),
    ])
    expect(runCcl(["logs"], { cwd: dir }).stdout.trimEnd().split("\n")).toHaveLength(5) // default 50: all there are
    const json = runCcl(["logs", "-n", "2", "--json"], { cwd: dir })
    expect(
      json.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      {
        at: "2026-12-02T14:00:04.000Z",
        level: "WARN",
        message: "line 4",
        cause: "tmux send-keys failed (exit 1): no pane",
      },
      { at: "2026-12-02T14:00:05.000Z", level: "INFO", message: "line 5" },
    ])
  })

  it("-f prints new lines as they come, and keeps following across a rotation", async () => {
    const { dir, log } = project()
    writeFileSync(log, `${line(1)}\n`)
    const child = spawn(process.execPath, [CCL, "logs", "-f", "-n", "1"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir },
      stdio: ["ignore", "pipe", "pipe"],
    })
    onTestFinished(() => {
      child.kill("SIGKILL")
    })
    let out = ""
    child.stdout.on("data", (d) => (out += d))
    child.stderr.on("data", (d) => (out += d))
    const shows = (text: string) =>
      eventually(
        () => (out.includes(text) ? true : undefined),
        15_000,
        () => out,
      )
    await shows(line(1))
    appendFileSync(log, `${line(2)}\n`)
    await shows(line(2))
    // Rotated as the daemon does it: a last line into the old file, the old file moved aside, a new one begun.
    appendFileSync(log, `${line(3)}\n`)
    renameSync(log, `${log}.1`)
    writeFileSync(log, `${line(4)}\n`)
    await shows(line(4))
    appendFileSync(log, `${line(5)}\n`)
    await shows(line(5))
    expect(out.trimEnd().split("\n")).toEqual([line(1), line(2), line(3), line(4), line(5)])
  })

  it("a bad -n is a usage error", async () => {
    const { dir } = project()
    expect((await runCclAsync(["logs", "-n", "many"], { cwd: dir })).code).toBe(2)
  })
})
