import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { spoolHookCommand } from "../../src/domain/HookSpool.js"
import { runCcl, runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const withAccounts = (cwd: string, extra = "") => {
  const main = path.join(cwd, "homes", "main")
  const backup = path.join(cwd, "homes", "backup")
  writeFileSync(
    path.join(cwd, "ccl.yaml"),
    `accounts:\n  - { name: main, home: ${main} }\n  - { name: backup, home: ${backup} }\n${extra}`,
  )
  return { main, backup }
}

describe("ccl hooks install", () => {
  it("merges the spool hooks into every account's settings.json, keeps a backup, and is idempotent", () => {
    const cwd = tempDir()
    const { main, backup } = withAccounts(cwd)
    mkdirSync(main, { recursive: true })
    writeFileSync(path.join(main, "settings.json"), JSON.stringify({ model: "opus", hooks: { Stop: [] } }))
    const r = runCcl(["hooks", "install"], { cwd })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(
      "main: hooks SessionStart, UserPromptSubmit, Stop, StopFailure, Notification and statusLine installed",
    )
    const settings = JSON.parse(readFileSync(path.join(main, "settings.json"), "utf8"))
    expect(settings.model).toBe("opus")
    const state = path.join(cwd, ".ccl", "state")
    expect(settings.hooks.Stop[0].hooks[0].command).toBe(spoolHookCommand("Stop", state))
    for (const dir of ["tmp", "new", "bad"])
      expect(statSync(path.join(state, "hooks", dir)).mode & 0o777, dir).toBe(0o700)
    expect(statSync(path.join(main, "settings.json")).mode & 0o777).toBe(0o600)
    expect(readdirSync(main).filter((f) => f.startsWith("settings.json.bak."))).toHaveLength(1)
    expect(existsSync(path.join(backup, "settings.json"))).toBe(true) // created for an account without one
    const again = runCcl(["hooks", "install"], { cwd })
    expect(again.stdout).toContain("main: hooks already installed")
    expect(readdirSync(main).filter((f) => f.startsWith("settings.json.bak."))).toHaveLength(1)
  })

  it("upgrades the Node relay of an earlier install to the spool command, keeping the operator's hooks", () => {
    const cwd = tempDir()
    const { main } = withAccounts(cwd)
    mkdirSync(main, { recursive: true })
    const operator = { type: "command", command: "notify-send done" }
    const relay = { type: "command", command: "/usr/bin/node '/old place/dist/ccl.mjs' hook Stop" }
    writeFileSync(
      path.join(main, "settings.json"),
      JSON.stringify({ hooks: { Stop: [{ hooks: [operator, relay] }] } }),
    )
    expect(runCcl(["hooks", "install", "--account", "main"], { cwd }).code).toBe(0)
    const settings = JSON.parse(readFileSync(path.join(main, "settings.json"), "utf8"))
    expect(settings.hooks.Stop).toEqual([
      {
        hooks: [
          operator,
          { type: "command", command: spoolHookCommand("Stop", path.join(cwd, ".ccl", "state")) },
        ],
      },
    ])
  })

  it("an invalid settings.json is left alone: exit 2 naming the file", () => {
    const cwd = tempDir()
    const { main } = withAccounts(cwd)
    mkdirSync(main, { recursive: true })
    writeFileSync(path.join(main, "settings.json"), "{ not json")
    const r = runCcl(["hooks", "install", "--account", "main"], { cwd })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(path.join(main, "settings.json"))
    expect(readFileSync(path.join(main, "settings.json"), "utf8")).toBe("{ not json")
    expect(runCcl(["hooks", "install", "--account", "nobody"], { cwd }).code).toBe(2)
  })
})

describe("ccl hook EVENT", () => {
  it("with the daemon down: exit 0, the event appended to <state>/events.jsonl with CCL_SESSION", async () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), "state: ./st\napi: { port: 9 }\n")
    const payload = { session_id: "abc", hook_event_name: "Stop", cwd: "/x" }
    const r = runCcl(["hook", "Stop"], {
      cwd,
      env: { CCL_SESSION: "ccl-pool-2" },
      input: JSON.stringify(payload),
    })
    expect(r.code).toBe(0)
    const file = path.join(cwd, "st", "events.jsonl")
    const lines = readFileSync(file, "utf8").trim().split("\n")
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "Stop", ccl_session: "ccl-pool-2", payload })
    expect(statSync(file).mode & 0o777).toBe(0o600)
    runCcl(["hook", "StopFailure"], { cwd, input: "not json" })
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(2)
  })

  it("with the daemon up: POSTs the event to /api/hooks with the token", async () => {
    const got: Array<{ url: string; auth: string | undefined; body: unknown }> = []
    const server = createServer((req, res) => {
      let body = ""
      req.on("data", (d) => (body += d))
      req.on("end", () => {
        got.push({ url: req.url ?? "", auth: req.headers.authorization, body: JSON.parse(body) })
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
    const port = (server.address() as AddressInfo).port
    try {
      const cwd = tempDir()
      writeFileSync(path.join(cwd, "ccl.yaml"), `state: ./st\napi: { port: ${port} }\n`)
      const r = await runCclAsync(["hook", "SessionStart"], {
        cwd,
        env: { CCL_SESSION: "ccl-1-x", CCL_API_TOKEN: "tok" },
      })
      expect(r.code).toBe(0)
      expect(got).toHaveLength(1)
      expect(got[0]).toMatchObject({
        url: "/api/hooks",
        auth: "Bearer tok",
        body: { event: "SessionStart", ccl_session: "ccl-1-x" },
      })
      expect(existsSync(path.join(cwd, "st", "events.jsonl"))).toBe(false)
    } finally {
      server.close()
    }
  })
})
