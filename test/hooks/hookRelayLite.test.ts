import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { loadSettings } from "../../src/layers/AppConfigLive.js"
import { liteHook } from "../../src/programs/HookRelayLite.js"
import { CCL, runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

interface Posted {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly headers: IncomingHttpHeaders
  readonly body: string
}

/** A stand-in for the daemon's /api/hooks: records what it gets, answers with `answer` (204 by default). */
const startDaemon = async (answer: (res: ServerResponse) => void = (res) => res.writeHead(204).end()) => {
  const got: Array<Posted> = []
  const server = createServer((req, res) => {
    let body = ""
    req.on("data", (d) => (body += d))
    req.on("end", () => {
      got.push({ method: req.method, url: req.url, headers: req.headers, body })
      answer(res)
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const close = () => {
    server.closeAllConnections()
    return new Promise<void>((r) => server.close(() => r()))
  }
  return { port: (server.address() as AddressInfo).port, got, close }
}

/** A port nothing listens on: the daemon is down. */
const closedPort = async () => {
  const server = createServer()
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((r) => server.close(() => r()))
  return port
}

/** What the daemon puts in the environment of every session it creates. */
const sessionEnv = (cwd: string, port: number, extra: Record<string, string> = {}) => ({
  CCL_SESSION: "ccl-pool-1",
  CCL_API_HOST: "127.0.0.1",
  CCL_API_PORT: String(port),
  CCL_STATE: path.join(cwd, "st"),
  ...extra,
})

/** runCclAsync with something on stdin, as Claude Code runs a hook (runCclAsync's stdin is /dev/null). */
const runHookWithInput = (
  event: string,
  input: string,
  options: { cwd: string; env: Record<string, string> },
): Promise<{ readonly code: number | null; readonly stderr: string }> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [CCL, "hook", event], {
      cwd: options.cwd,
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        HOME: options.cwd,
        CCL_CACHE_DIR: path.join(options.cwd, ".cache"),
        ...options.env,
      },
      stdio: ["pipe", "ignore", "pipe"],
    })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stderr })
    })
    child.stdin.on("error", () => {})
    child.stdin.end(input)
  })

const queued = (cwd: string): Array<Record<string, unknown>> => {
  const file = path.join(cwd, "st", "events.jsonl")
  if (!existsSync(file)) return []
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line))
}

// The full program writes its V8 code cache at exit: no cache means it was never compiled.
const programCompiled = (cwd: string) => existsSync(path.join(cwd, ".cache"))

describe("ccl hook EVENT, lite relay (the daemon's sessions)", () => {
  it("POSTs the record to /api/hooks without compiling the program", async () => {
    const daemon = await startDaemon()
    try {
      const cwd = tempDir()
      const payload = { session_id: "abc", hook_event_name: "Stop", cwd: "/x" }
      const before = Date.now()
      const r = await runHookWithInput("Stop", JSON.stringify(payload), {
        cwd,
        env: sessionEnv(cwd, daemon.port),
      })
      const after = Date.now()
      expect(r).toEqual({ code: 0, stderr: "" })
      expect(daemon.got).toHaveLength(1)
      const posted = daemon.got[0]!
      expect(posted).toMatchObject({ method: "POST", url: "/api/hooks" })
      expect(posted.headers["content-type"]).toBe("application/json")
      expect(posted.headers.authorization).toBeUndefined()
      const record = JSON.parse(posted.body)
      expect(Object.keys(record)).toEqual(["event", "ccl_session", "received_at", "payload"])
      expect(record).toMatchObject({ event: "Stop", ccl_session: "ccl-pool-1", payload })
      expect(record.received_at).toBe(new Date(record.received_at).toISOString())
      expect(Date.parse(record.received_at)).toBeGreaterThanOrEqual(before)
      expect(Date.parse(record.received_at)).toBeLessThanOrEqual(after)
      expect(queued(cwd)).toEqual([])
      expect(programCompiled(cwd)).toBe(false)
    } finally {
      await daemon.close()
    }
  })

  it("sends CCL_API_TOKEN as a bearer token; no CCL_API_HOST means 127.0.0.1", async () => {
    const daemon = await startDaemon()
    try {
      const cwd = tempDir()
      const { CCL_API_HOST: _, ...env } = sessionEnv(cwd, daemon.port, { CCL_API_TOKEN: "tok" })
      const r = await runCclAsync(["hook", "SessionStart"], { cwd, env })
      expect(r.code).toBe(0)
      expect(daemon.got).toHaveLength(1)
      expect(daemon.got[0]!.headers.authorization).toBe("Bearer tok")
      expect(JSON.parse(daemon.got[0]!.body)).toMatchObject({ event: "SessionStart", payload: { raw: "" } })
      expect(programCompiled(cwd)).toBe(false)
    } finally {
      await daemon.close()
    }
  })

  it("daemon down: the line lands in $CCL_STATE/events.jsonl (0600, folder 0700), exit 0", async () => {
    const cwd = tempDir()
    const r = await runCclAsync(["hook", "Stop"], { cwd, env: sessionEnv(cwd, await closedPort()) })
    expect(r).toMatchObject({ code: 0, stderr: "" })
    expect(queued(cwd)).toMatchObject([{ event: "Stop", ccl_session: "ccl-pool-1", payload: { raw: "" } }])
    expect(statSync(path.join(cwd, "st", "events.jsonl")).mode & 0o777).toBe(0o600)
    expect(statSync(path.join(cwd, "st")).mode & 0o777).toBe(0o700)
  })

  it("an answer other than 2xx (a wrong token) queues the event", async () => {
    const daemon = await startDaemon((res) => res.writeHead(401).end("{}"))
    try {
      const cwd = tempDir()
      const r = await runCclAsync(["hook", "Notification"], { cwd, env: sessionEnv(cwd, daemon.port) })
      expect(r.code).toBe(0)
      expect(daemon.got).toHaveLength(1)
      expect(queued(cwd)).toMatchObject([{ event: "Notification" }])
    } finally {
      await daemon.close()
    }
  })

  it("a daemon that never answers: queued after the 5 s timeout, exit 0", { timeout: 20_000 }, async () => {
    const daemon = await startDaemon(() => {})
    try {
      const cwd = tempDir()
      const started = Date.now()
      const r = await runCclAsync(["hook", "Stop"], { cwd, env: sessionEnv(cwd, daemon.port) })
      const elapsed = Date.now() - started
      expect(r.code).toBe(0)
      expect(daemon.got).toHaveLength(1)
      expect(queued(cwd)).toMatchObject([{ event: "Stop" }])
      expect(elapsed).toBeGreaterThanOrEqual(4_900)
      expect(elapsed).toBeLessThan(15_000)
    } finally {
      await daemon.close()
    }
  })

  it("stdin that is not JSON is kept as {raw}", async () => {
    const cwd = tempDir()
    const r = await runHookWithInput("StopFailure", "not json", {
      cwd,
      env: sessionEnv(cwd, await closedPort()),
    })
    expect(r.code).toBe(0)
    expect(queued(cwd)).toMatchObject([{ event: "StopFailure", payload: { raw: "not json" } }])
  })

  it("20 hooks at once append 20 intact lines", async () => {
    const cwd = tempDir()
    const env = sessionEnv(cwd, await closedPort())
    const filler = "x".repeat(32 * 1024)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runHookWithInput("Stop", JSON.stringify({ i, filler }), {
          cwd,
          env: { ...env, CCL_SESSION: `s${i}` },
        }),
      ),
    )
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0))
    const lines = queued(cwd)
    expect(lines).toHaveLength(20)
    expect(lines.map((l) => (l.payload as { i: number }).i).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    )
    for (const l of lines) {
      expect(l.ccl_session).toBe(`s${(l.payload as { i: number }).i}`)
      expect((l.payload as { filler: string }).filler).toBe(filler)
    }
  })
})

describe("liteHook: what the lite relay resolves, and when it leaves the hook to the full CLI", () => {
  const settingsOf = (env: Record<string, string>, cwd: string) =>
    Effect.runPromise(
      loadSettings({ env, cwd }).pipe(Effect.provide(NodeFileSystem.layer), Effect.either),
    ).then(Either.getOrUndefined)

  it("gives the answers AppConfigLive gives when the environment settles them", async () => {
    const cwd = tempDir()
    const sub = path.join(cwd, "sub")
    mkdirSync(sub)
    writeFileSync(path.join(sub, "ccl.yaml"), "api: { host: 10.0.0.1 }\n")
    const cases: Array<Record<string, string>> = [
      { CCL_API_PORT: "7421", CCL_STATE: "/var/tmp/st" },
      { CCL_API_HOST: "::1", CCL_API_PORT: "7421", CCL_STATE: "/var/tmp/st", CCL_API_TOKEN: "tok" },
      { CCL_API_HOST: "localhost", CCL_API_PORT: "80", CCL_STATE: "./st", CCL_API_TOKEN: "" },
      { CCL_API_HOST: "127.0.0.1", CCL_API_PORT: "65535", CCL_STATE: "~/st" },
      { CCL_API_HOST: "127.0.0.1", CCL_API_PORT: "1", CCL_STATE: "st/../st2", CCL_CONFIG: "sub/ccl.yaml" },
      { CCL_API_HOST: "127.0.0.1", CCL_API_PORT: "7420", CCL_STATE: "/abs/st", CCL_CONFIG: "sub/ccl.yaml" },
    ]
    for (const env of cases) {
      const lite = liteHook(["hook", "Stop"], env, cwd)
      const settings = await settingsOf(env, cwd)
      expect(lite, JSON.stringify(env)).toBeDefined()
      expect(settings, JSON.stringify(env)).toBeDefined()
      const { host, port, token } = settings!.api
      expect(lite).toEqual({
        event: "Stop",
        cclSession: undefined,
        url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/api/hooks`,
        token: token === undefined ? undefined : Redacted.value(token),
        state: settings!.state,
      })
    }
    expect(liteHook(["hook", "Stop"], cases[1]!, cwd)?.url).toBe("http://[::1]:7421/api/hooks")
    expect(liteHook(["hook", "Stop"], cases[3]!, cwd)?.state).toBe(path.join(os.homedir(), "st"))
    expect(liteHook(["hook", "Stop"], cases[4]!, cwd)?.state).toBe(path.join(sub, "st2"))
  })

  it("leaves other argv shapes, missing variables and what a config file could hold to the full CLI", async () => {
    const cwd = tempDir()
    const env = { CCL_API_HOST: "127.0.0.1", CCL_API_PORT: "7421", CCL_STATE: "/var/tmp/st" }
    for (const argv of [
      ["hook"],
      ["hook", "--help"],
      ["hook", "Stop", "--config", "c.yaml"],
      ["decide", "x"],
    ]) {
      expect(liteHook(argv, env, cwd), argv.join(" ")).toBeUndefined()
    }
    expect(liteHook(["hook", "Stop"], { ...env, CCL_STATE: undefined }, cwd)).toBeUndefined()
    expect(liteHook(["hook", "Stop"], { ...env, CCL_API_PORT: undefined }, cwd)).toBeUndefined()
    // Values the config loader refuses: the full CLI owns that outcome.
    for (const bad of [
      { CCL_API_PORT: "0" },
      { CCL_API_PORT: "07421" },
      { CCL_API_PORT: "x" },
      { CCL_API_HOST: "" },
    ]) {
      expect(liteHook(["hook", "Stop"], { ...env, ...bad }, cwd), JSON.stringify(bad)).toBeUndefined()
      expect(await settingsOf({ ...env, ...bad }, cwd), JSON.stringify(bad)).toBeUndefined()
    }
    const relativeMissingConfig = { ...env, CCL_STATE: "st", CCL_CONFIG: "nope.yaml" }
    expect(liteHook(["hook", "Stop"], relativeMissingConfig, cwd)).toBeUndefined()
    expect(await settingsOf(relativeMissingConfig, cwd)).toBeUndefined()
    // ./ccl.yaml may set api.host: without CCL_API_HOST, only the full CLI knows where the daemon is.
    writeFileSync(path.join(cwd, "ccl.yaml"), "api: { host: 10.0.0.1 }\n")
    const { CCL_API_HOST: _, ...noHost } = env
    expect(liteHook(["hook", "Stop"], noHost, cwd)).toBeUndefined()
    expect(liteHook(["hook", "Stop"], env, cwd)).toBeDefined()
  })
})
