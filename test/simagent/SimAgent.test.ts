// `ccl sim-agent` in real tmux panes on a private socket: screens, transcript, status file, hooks, resume.
// The agent runs from an esbuild bundle of test/simagent/runSimAgent.ts, built once for the suite.

import { execFileSync, spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { buildSync } from "esbuild"
import {
  decodeInput,
  emptyDecoder,
  flushInput,
  type Key,
  LIMIT_LINE,
  projectSlug,
  UPGRADE_LINE,
} from "../../src/domain/SimAgentScreen.js"
import { detectUsageLimit } from "../../src/domain/UsageLimit.js"

const SOCKET = `ccl-sim-${randomUUID().slice(0, 8)}`
let root = ""
let bundle = ""
let socketPath = ""

beforeAll(() => {
  root = realpathSync(mkdtempSync(path.join(tmpdir(), "ccl-simagent-")))
  bundle = path.join(root, "sim-agent.mjs")
  buildSync({
    entryPoints: [path.join(__dirname, "runSimAgent.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: bundle,
    banner: {
      js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
    },
    logLevel: "warning",
  })
  // A private server that outlives the agents' sessions: panes stay after exit so tests read exit codes.
  tmux("-f", "/dev/null", "new-session", "-d", "-s", "keep", "-x", "80", "-y", "20")
  tmux("set-option", "-wg", "remain-on-exit", "on")
  socketPath = tmux("display-message", "-p", "#{socket_path}").trim()
})

afterAll(() => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"], { stdio: "ignore" })
  // tmux 3.3 leaves the socket file behind.
  if (socketPath !== "") rmSync(socketPath, { force: true })
  if (root !== "") rmSync(root, { recursive: true, force: true })
})

const tmux = (...args: Array<string>): string =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Polls `probe` every 50 ms until it returns a value, or fails after `timeoutMs` saying what it last saw. */
const waitFor = async <A>(
  what: string,
  probe: () => A | undefined,
  lastSeen: () => string,
  timeoutMs = 10_000,
): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${lastSeen()}`)
    await sleep(50)
  }
}

const fresh = (name: string): string => {
  const dir = path.join(root, `${name}-${randomUUID().slice(0, 8)}`)
  mkdirSync(dir, { recursive: true })
  return dir
}

/** settings.json whose hooks append each event's stdin JSON (one line) to `<home>/hooks.log`. */
const installHooks = (home: string) => {
  const log = path.join(home, "hooks.log")
  const record = { type: "command", command: `{ cat; echo; } >> '${log}'` }
  const env = { type: "command", command: `echo "$CLAUDE_PROJECT_DIR|$CCL_SESSION" >> '${home}/env.log'` }
  const hooks = {
    SessionStart: [{ hooks: [record] }],
    Stop: [{ hooks: [record, env] }],
    StopFailure: [{ hooks: [record] }],
  }
  writeFileSync(path.join(home, "settings.json"), JSON.stringify({ hooks }))
}

const hookEvents = (home: string): Array<Record<string, unknown>> => {
  const file = path.join(home, "hooks.log")
  if (!existsSync(file)) return []
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l))
}

let sessions = 0

interface AgentPane {
  readonly name: string
  readonly home: string
  readonly cwd: string
  readonly screen: () => string
  readonly waitScreen: (
    what: string,
    test: (screen: string) => boolean,
    timeoutMs?: number,
  ) => Promise<string>
  readonly waitFile: <A>(what: string, probe: () => A | undefined) => Promise<A>
  readonly type: (text: string) => void
  readonly key: (key: string) => void
  readonly paste: (text: string) => void
  readonly transcript: (sessionId: string) => Array<Record<string, unknown>>
  readonly transcriptPath: (sessionId: string) => string
  readonly status: () => Record<string, unknown> | undefined
  /** The agent's exit code once its process has ended, else undefined. */
  readonly exitCode: () => number | undefined
}

/** Starts `ccl sim-agent <args>` in a new 120x40 session, with CLAUDE_CONFIG_DIR=home, in cwd. */
const startAgent = (
  args: ReadonlyArray<string>,
  options: { home?: string; cwd?: string } = {},
): AgentPane => {
  const name = `sim-${++sessions}`
  const home = options.home ?? fresh("home")
  const cwd = options.cwd ?? fresh("project")
  // The shell records the agent's exit code: tmux 3.3's #{pane_dead_status} is sometimes left empty.
  const exitFile = path.join(fresh("exit"), "code")
  const agent = [process.execPath, bundle, "sim-agent", ...args].map((a) => `'${a}'`).join(" ")
  const command = `${agent}; echo $? > '${exitFile}'`
  tmux(
    ...["new-session", "-d", "-s", name, "-x", "120", "-y", "40", "-c", cwd],
    ...["-e", `CLAUDE_CONFIG_DIR=${home}`, "-e", `CCL_SESSION=${name}`, command],
  )
  const target = `=${name}:`
  const screen = () => tmux("capture-pane", "-p", "-J", "-t", target)
  const transcriptPath = (id: string) => path.join(home, "projects", projectSlug(cwd), `${id}.jsonl`)
  const statusFiles = () => {
    const dir = path.join(home, "sessions")
    return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".json")) : []
  }
  return {
    name,
    home,
    cwd,
    screen,
    waitScreen: (what, test, timeoutMs) =>
      waitFor(
        what,
        () => {
          const s = screen()
          return test(s) ? s : undefined
        },
        screen,
        timeoutMs,
      ),
    waitFile: (what, probe) => waitFor(what, probe, screen),
    type: (text) => tmux("send-keys", "-t", target, "-l", text),
    key: (key) => tmux("send-keys", "-t", target, key),
    paste: (text) => {
      const buffer = `b-${randomUUID().slice(0, 8)}`
      execFileSync("tmux", ["-L", SOCKET, "load-buffer", "-b", buffer, "-"], { input: text })
      tmux("paste-buffer", "-p", "-d", "-b", buffer, "-t", target)
    },
    transcriptPath,
    transcript: (id) =>
      existsSync(transcriptPath(id))
        ? readFileSync(transcriptPath(id), "utf8")
            .split("\n")
            .filter((l) => l !== "")
            .map((l) => JSON.parse(l))
        : [],
    status: () => {
      const [file] = statusFiles()
      if (file === undefined) return undefined
      try {
        return JSON.parse(readFileSync(path.join(home, "sessions", file), "utf8"))
      } catch {
        return undefined
      }
    },
    exitCode: () => {
      const text = existsSync(exitFile) ? readFileSync(exitFile, "utf8").trim() : ""
      return text === "" ? undefined : Number(text)
    },
  }
}

const idle = (s: string) => s.includes("? for shortcuts")
const submit = (pane: AgentPane, text: string) => {
  pane.type(text)
  pane.key("Enter")
}
const lastEntry = (entries: Array<Record<string, unknown>>) => entries[entries.length - 1]

describe("ccl sim-agent in tmux", () => {
  it("idle screen, a turn (busy, reply, summary), transcript, status file, SessionStart and Stop hooks", async () => {
    const home = fresh("home")
    installHooks(home)
    const id = randomUUID()
    const pane = startAgent(["--session-id", id, "--work-ms", "800", "--dangerously-skip-permissions"], {
      home,
    })
    const first = await pane.waitScreen("the idle screen", idle)
    // capture-pane drops trailing spaces: the empty prompt line is ">".
    expect(first).toMatch(/^─{60}\n> ?\n─{60}\n {2}\? for shortcuts$/m)
    const status = await pane.waitFile("the status file", pane.status)
    expect(status).toMatchObject({ sessionId: id, cwd: pane.cwd, status: "idle" })
    // As Claude Code 2.1.332 writes it: <session>:@<window>.<pane>.
    expect(status.tmux).toMatch(/^[\w.-]+:@\d+\.%\d+$/)
    const started = await pane.waitFile("the SessionStart hook", () => hookEvents(home)[0])
    expect(started).toEqual({
      session_id: id,
      transcript_path: pane.transcriptPath(id),
      cwd: pane.cwd,
      hook_event_name: "SessionStart",
      source: "startup",
    })
    // Never prompted: no transcript yet.
    expect(existsSync(pane.transcriptPath(id))).toBe(false)

    const prompt = "Fix the flaky test; then report back"
    submit(pane, prompt)
    await pane.waitScreen("the busy spinner", (s) => s.includes("Working… (esc to interrupt)") && !idle(s))
    expect(pane.status()?.status).toBe("busy")
    const done = await pane.waitScreen("the reply", (s) => s.includes("✻ Baked for") && idle(s))
    expect(done).toContain(`> ${prompt}\n● Done: ${prompt}`)
    expect(done).toMatch(/✻ Baked for [12]s/)
    expect(pane.status()?.status).toBe("idle")

    const entries = pane.transcript(id)
    expect(entries).toHaveLength(2)
    expect(entries[0]).toMatchObject({
      type: "user",
      sessionId: id,
      cwd: pane.cwd,
      message: { role: "user", content: prompt },
    })
    expect(entries[1]).toMatchObject({
      type: "assistant",
      sessionId: id,
      message: { role: "assistant", content: [{ type: "text", text: `Done: ${prompt}` }] },
    })
    for (const e of entries) expect(Number.isNaN(Date.parse(String(e.timestamp)))).toBe(false)

    const stop = await pane.waitFile("the Stop hook", () => hookEvents(home)[1])
    expect(stop).toEqual({
      session_id: id,
      transcript_path: pane.transcriptPath(id),
      cwd: pane.cwd,
      hook_event_name: "Stop",
      stop_hook_active: false,
      last_assistant_message: `Done: ${prompt}`,
      // As Claude Code 2.1: the id of the prompt that started the turn (UserPromptSubmit has the same).
      prompt_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    const env = await pane.waitFile("the hook environment", () => {
      const file = path.join(home, "env.log")
      return existsSync(file) ? readFileSync(file, "utf8") : undefined
    })
    expect(env.trim()).toBe(`${pane.cwd}|${pane.name}`)
  })

  it("a multi-line bracketed paste is one prompt with its newlines, sent only by the later Enter", async () => {
    const id = randomUUID()
    const pane = startAgent(["--session-id", id, "--work-ms", "100"])
    await pane.waitScreen("the idle screen", idle)
    const text = "Refactor the parser;\n\tkeep the tests green\nthen run: npm test\nlast line ends with ;"
    pane.paste(text)
    await pane.waitScreen("the paste placeholder", (s) => s.includes("> [Pasted text #1 +3 lines]"))
    await sleep(300)
    expect(existsSync(pane.transcriptPath(id))).toBe(false)
    expect(pane.status()?.status).toBe("idle")

    pane.key("Enter")
    await pane.waitScreen("the reply", (s) => s.includes("● Done: Refactor the parser;") && idle(s))
    const entries = pane.transcript(id)
    expect(entries.filter((e) => e.type === "user")).toHaveLength(1)
    expect(entries[0]).toMatchObject({ message: { content: text } })

    // A short paste (two lines) is shown as it is.
    pane.paste("short one\nshort two")
    const shown = await pane.waitScreen("the short paste", (s) => s.includes("  short two"))
    expect(shown).toContain("> short one\n  short two")
  })

  it("a trailing backslash + Enter inserts a newline instead of submitting", async () => {
    const id = randomUUID()
    const pane = startAgent(["--session-id", id, "--work-ms", "100"])
    await pane.waitScreen("the idle screen", idle)
    pane.type("first line\\")
    pane.key("Enter")
    await pane.waitScreen("the second input line", (s) => /^> first line\n *\n─/m.test(s))
    await sleep(200)
    expect(existsSync(pane.transcriptPath(id))).toBe(false)
    submit(pane, "second line")
    await pane.waitScreen("the reply", (s) => s.includes("● Done: first line") && idle(s))
    expect(pane.transcript(id)[0]).toMatchObject({ message: { content: "first line\nsecond line" } })
  })

  it("[limit] or <home>/LIMIT: the limit screen, a rate_limit transcript entry and StopFailure (no Stop)", async () => {
    const home = fresh("home")
    installHooks(home)
    const id = randomUUID()
    const pane = startAgent(["--session-id", id, "--work-ms", "100"], { home })
    await pane.waitScreen("the idle screen", idle)
    submit(pane, "please [limit] now")
    const screen = await pane.waitScreen("the limit lines", (s) => s.includes(UPGRADE_LINE) && idle(s))
    expect(screen).toContain(`> please [limit] now\n● ${LIMIT_LINE}\n  ${UPGRADE_LINE}`)
    expect(screen).not.toContain("Baked for")
    // ccl's own classifier reads it as a hit with a reset time.
    expect(detectUsageLimit(screen, Date.now(), "UTC")?.resetAt).toBeInstanceOf(Date)
    expect(lastEntry(pane.transcript(id))).toMatchObject({
      type: "assistant",
      sessionId: id,
      isApiErrorMessage: true,
      error: "rate_limit",
      message: { role: "assistant", content: [{ type: "text", text: LIMIT_LINE }] },
    })
    const failure = await pane.waitFile("the StopFailure hook", () => hookEvents(home)[1])
    expect(failure).toMatchObject({ session_id: id, hook_event_name: "StopFailure", error: "rate_limit" })

    writeFileSync(path.join(home, "LIMIT"), "")
    submit(pane, "an ordinary prompt")
    await pane.waitScreen("the second limit", (s) => s.includes(`> an ordinary prompt\n● ${LIMIT_LINE}`))
    await pane.waitFile("the second StopFailure hook", () => hookEvents(home)[2])
    rmSync(path.join(home, "LIMIT"))
    submit(pane, "after the reset")
    await pane.waitScreen("a normal reply", (s) => s.includes("● Done: after the reset") && idle(s))
    await pane.waitFile("the Stop hook", () => hookEvents(home)[3])
    expect(hookEvents(home).map((e) => e.hook_event_name)).toEqual([
      "SessionStart",
      "StopFailure",
      "StopFailure",
      "Stop",
    ])
  })

  it("Escape interrupts a turn (reply 'Interrupted by user', a Stop hook); /clear starts a new conversation", async () => {
    const home = fresh("home")
    installHooks(home)
    const id = randomUUID()
    const pane = startAgent(["--session-id", id, "--work-ms", "60000"], { home })
    await pane.waitScreen("the idle screen", idle)
    submit(pane, "a long job")
    await pane.waitScreen("the busy spinner", (s) => s.includes("esc to interrupt"))
    pane.key("Escape")
    await pane.waitScreen("the interruption", (s) => s.includes("● Interrupted by user") && idle(s))
    expect(lastEntry(pane.transcript(id))).toMatchObject({
      message: { content: [{ text: "Interrupted by user" }] },
    })
    const stop = await pane.waitFile("the Stop hook", () => hookEvents(home)[1])
    expect(stop).toMatchObject({ hook_event_name: "Stop", last_assistant_message: "Interrupted by user" })

    submit(pane, "/clear")
    const cleared = await pane.waitScreen("a cleared screen", (s) => idle(s) && !s.includes("a long job"))
    expect(cleared).not.toContain("Baked for")
    const restarted = await pane.waitFile("SessionStart after /clear", () => hookEvents(home)[2])
    expect(restarted).toMatchObject({ hook_event_name: "SessionStart", source: "clear" })
    expect(restarted.session_id).not.toBe(id)
    expect(pane.status()?.sessionId).toBe(restarted.session_id)
    // The new conversation has no transcript until prompted; the old one is untouched.
    expect(existsSync(pane.transcriptPath(String(restarted.session_id)))).toBe(false)
    expect(pane.transcript(id)).toHaveLength(2)
  })

  it("--resume continues a conversation under another account home and appends to its transcript", async () => {
    const home1 = fresh("home")
    const cwd = fresh("project")
    const id = randomUUID()
    const first = startAgent(["--session-id", id, "--work-ms", "100"], { home: home1, cwd })
    await first.waitScreen("the idle screen", idle)
    submit(first, "remember the plan")
    await first.waitScreen("the reply", (s) => s.includes("● Done: remember the plan") && idle(s))
    submit(first, "/exit")
    await first.waitFile("the first agent's exit", first.exitCode)

    // Failover: the second account sees the same projects/ (shared in real life, copied here).
    const home2 = fresh("home")
    installHooks(home2)
    cpSync(path.join(home1, "projects"), path.join(home2, "projects"), { recursive: true })
    const pane = startAgent(["--resume", id, "--work-ms", "100"], { home: home2, cwd })
    const resumed = await pane.waitScreen("the resumed screen", idle)
    expect(resumed).toContain(`Resumed conversation ${id} (2 messages) under ${home2}`)
    expect(resumed).toContain("> remember the plan\n● Done: remember the plan")
    const started = await pane.waitFile("the SessionStart hook", () => hookEvents(home2)[0])
    expect(started).toMatchObject({ session_id: id, source: "resume" })
    expect(pane.status()?.sessionId).toBe(id)

    submit(pane, "carry on")
    await pane.waitScreen("the reply", (s) => s.includes("● Done: carry on") && idle(s))
    const entries = pane.transcript(id)
    expect(entries.map((e) => e.type)).toEqual(["user", "assistant", "user", "assistant"])
    expect(entries[2]).toMatchObject({ sessionId: id, message: { content: "carry on" } })
  })

  it("--resume of a missing conversation prints Claude Code's message and exits 1; a bad UUID exits 2", () => {
    const home = fresh("home")
    const cwd = fresh("project")
    const id = randomUUID()
    const run = (args: Array<string>) =>
      spawnSync(process.execPath, [bundle, "sim-agent", ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: cwd, CLAUDE_CONFIG_DIR: home },
        encoding: "utf8",
        timeout: 15_000,
      })
    const missing = run(["--resume", id])
    expect(missing.status).toBe(1)
    expect(missing.stderr.trim()).toBe(`No conversation found with session ID: ${id}`)
    expect(existsSync(path.join(home, "sessions"))).toBe(false)
    const bad = run(["--resume", "../../etc/passwd"])
    expect(bad.status).toBe(2)
    expect(run(["--session-id", "not-a-uuid"]).status).toBe(2)
  })

  it("the status file exists while the agent runs and is removed on /exit, Ctrl-C and a closed pane", async () => {
    const byExit = startAgent(["--work-ms", "100"])
    await byExit.waitScreen("the idle screen", idle)
    const status = await byExit.waitFile("the status file", byExit.status)
    expect(Object.keys(status)).toEqual(["pid", "sessionId", "cwd", "status", "tmux", "updatedAt"])
    expect(status.status).toBe("idle")
    expect(String(status.sessionId)).toMatch(/^[0-9a-f-]{36}$/)
    submit(byExit, "/exit")
    expect(await byExit.waitFile("the exit", byExit.exitCode)).toBe(0)
    expect(byExit.status()).toBeUndefined()

    const byCtrlC = startAgent([])
    await byCtrlC.waitScreen("the idle screen", idle)
    byCtrlC.type("some draft")
    await byCtrlC.waitScreen("the draft", (s) => s.includes("> some draft"))
    byCtrlC.key("C-c")
    await byCtrlC.waitScreen("the cleared draft", (s) => !s.includes("some draft"))
    expect(byCtrlC.exitCode()).toBeUndefined()
    byCtrlC.key("C-c")
    expect(await byCtrlC.waitFile("the exit", byCtrlC.exitCode)).toBe(0)
    expect(byCtrlC.status()).toBeUndefined()

    const byHangup = startAgent([])
    await byHangup.waitScreen("the idle screen", idle)
    await byHangup.waitFile("the status file", byHangup.status)
    tmux("kill-session", "-t", `=${byHangup.name}`)
    await byHangup.waitFile("the status file's removal", () =>
      byHangup.status() === undefined ? true : undefined,
    )
  })
})

describe("sim-agent keyboard decoding", () => {
  const decodeAll = (chunks: ReadonlyArray<string>): Array<Key> => {
    let decoder = emptyDecoder
    const keys: Array<Key> = []
    for (const chunk of chunks) {
      const d = decodeInput(decoder, chunk)
      decoder = d.decoder
      keys.push(...d.keys)
    }
    keys.push(...flushInput(decoder).keys)
    // A read boundary may split typed text in two: compare the merged text.
    return keys.reduce<Array<Key>>((merged, key) => {
      const last = merged[merged.length - 1]
      if (key._tag === "Text" && last?._tag === "Text")
        merged[merged.length - 1] = { _tag: "Text", text: last.text + key.text }
      else merged.push(key)
      return merged
    }, [])
  }
  const input = "ab\x1b[200~one\rtwo\r\nthree\x1b[201~\x1b[A\r"

  it("gives the same keys however the input is split across reads", () => {
    const whole = decodeAll([input])
    expect(whole).toEqual([
      { _tag: "Text", text: "ab" },
      { _tag: "Paste", text: "one\ntwo\nthree" },
      { _tag: "Enter" },
    ])
    for (let i = 1; i < input.length; i++) {
      expect(decodeAll([input.slice(0, i), input.slice(i)])).toEqual(whole)
    }
  })

  it("a lone ESC is Escape only when nothing follows; control keys", () => {
    expect(decodeAll(["\x1b"])).toEqual([{ _tag: "Escape" }])
    expect(decodeAll(["\x1b", "[B"])).toEqual([])
    expect(decodeAll(["x\x7f\x03\x04\n"])).toEqual([
      { _tag: "Text", text: "x" },
      { _tag: "Backspace" },
      { _tag: "CtrlC" },
      { _tag: "CtrlD" },
      { _tag: "Newline" },
    ])
  })
})
