// The real Claude Code binary in ccl's end-to-end tests: the pinned release (scripts/install-claude-code.sh puts it
// in a cache folder, installing it when missing: these tests never skip), offline against `ccl mock-anthropic`
// (a child process on a random port, its request log read back), through a small agent wrapper that gives each
// account home its own OAuth token, so the mock can exhaust one account and not the other.

import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { onTestFinished } from "vitest"
import type { RequestRecord } from "../../src/programs/MockAnthropic.js"
import { CCL } from "../support/cli.js"
import { daemonProject, type ProjectOptions } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

export const CLAUDE_CODE_VERSION = "2.1.332"

/** The pinned binary: `CCL_CLAUDE_BIN`, else the cached install (installed now if missing). */
export const claudeBinary = (): string =>
  process.env.CCL_CLAUDE_BIN ??
  execFileSync(path.resolve(__dirname, "../../scripts/install-claude-code.sh"), {
    encoding: "utf8",
    env: { ...process.env, CCL_CLAUDE_CODE_VERSION: CLAUDE_CODE_VERSION },
  }).trim()

/** The OAuth token of an account home, as the wrapper sets it: `tok-<home folder name>` (`tok-home-main`). */
export const tokenOf = (home: string) => `tok-${path.basename(home)}`

/** `ccl mock-anthropic` as a child process, its log in `<dir>/mock-anthropic.jsonl`. */
export const startMockAnthropic = async (dir: string) => {
  const logFile = path.join(dir, "mock-anthropic.jsonl")
  const child: ChildProcess = spawn(
    process.execPath,
    [CCL, "mock-anthropic", "--port", "0", "--log", logFile],
    {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: dir, CCL_CACHE_DIR: path.join(dir, ".cache") },
      stdio: ["ignore", "pipe", "pipe"],
    },
  )
  let out = ""
  child.stdout!.on("data", (d) => (out += d))
  child.stderr!.on("data", (d) => (out += d))
  const url = await eventually(
    () => /listening on (http:\/\/\S+)/.exec(out)?.[1],
    20_000,
    () => out,
  )
  const requests = (): ReadonlyArray<RequestRecord> =>
    existsSync(logFile)
      ? readFileSync(logFile, "utf8")
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => JSON.parse(l) as RequestRecord)
      : []
  return {
    url,
    /** Every /v1/messages request so far, oldest first. */
    messages: () =>
      requests().filter((r) => r.path.startsWith("/v1/messages") && !r.path.includes("count_tokens")),
    /** Every request whose prompt contains `marker`. */
    promptsWith: (marker: string) =>
      requests().filter((r) => r.path.startsWith("/v1/messages") && (r.prompt ?? "").includes(marker)),
    /** Exhausts (or frees) every token containing `token`, as `POST /_mock/limit` does. */
    limit: async (body: {
      on: boolean
      token: string
      claim?: "five_hour" | "seven_day"
      reset_in_s?: number
    }) => {
      const res = await fetch(`${url}/_mock/limit`, { method: "POST", body: JSON.stringify(body) })
      if (res.status !== 200) throw new Error(`/_mock/limit answered ${res.status}: ${await res.text()}`)
    },
    stop: () => child.kill("SIGTERM"),
    output: () => out,
  }
}
export type MockAnthropic = Awaited<ReturnType<typeof startMockAnthropic>>

/**
 * What a logged-in operator's account home already has (CLAUDE-CODE.md "Start straight to the idle prompt"):
 * onboarding done, the test folder trusted (a parent covers its children), the bypass-permissions warning accepted.
 * `omit` leaves one out, to get its blocking dialog.
 */
export const prepareClaudeHome =
  (omit?: "trust" | "bypass") =>
  (home: string, dir: string): void => {
    writeFileSync(
      path.join(home, ".claude.json"),
      JSON.stringify({
        hasCompletedOnboarding: true,
        projects: omit === "trust" ? {} : { [dir]: { hasTrustDialogAccepted: true } },
      }),
    )
    writeFileSync(
      path.join(home, "settings.json"),
      JSON.stringify(omit === "bypass" ? {} : { skipDangerousModePermissionPrompt: true }),
    )
  }

/** The agent command: sets the offline environment and the home's own token, then runs the real binary. */
const writeAgentWrapper = (dir: string, mockUrl: string, binary: string): string => {
  const file = path.join(dir, "claude-agent.sh")
  writeFileSync(
    file,
    [
      "#!/bin/sh",
      "# Claude Code offline against ccl mock-anthropic; each account home (CLAUDE_CONFIG_DIR) has its own token.",
      `export ANTHROPIC_BASE_URL='${mockUrl}'`,
      'export CLAUDE_CODE_OAUTH_TOKEN="tok-$(basename "$CLAUDE_CONFIG_DIR")"',
      "export IS_SANDBOX=1 CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 DISABLE_AUTOUPDATER=1 DISABLE_TELEMETRY=1",
      `exec '${binary}' "$@"`,
      "",
    ].join("\n"),
  )
  chmodSync(file, 0o755)
  return file
}

/** A ccl project whose sessions run the real Claude Code against a mock Anthropic API started for it. */
export const realClaudeProject = async (
  options: Omit<ProjectOptions, "workMs" | "agent"> & { readonly omit?: "trust" | "bypass" },
) => {
  const binary = claudeBinary()
  const p = await daemonProject({
    ...options,
    workMs: 0,
    prepareHome: prepareClaudeHome(options.omit),
    agent: (dir) => ({
      command: path.join(dir, "claude-agent.sh"),
      args: ["--dangerously-skip-permissions"],
    }),
  })
  const mock = await startMockAnthropic(p.dir)
  onTestFinished(() => void mock.stop())
  writeAgentWrapper(p.dir, mock.url, binary)
  return { ...p, mock, binary }
}

export interface SessionView {
  readonly name: string
  readonly kind: string
  readonly phase: string
  readonly state: string
  readonly account: string | null
  readonly task: string | null
  readonly conversation_id: string | null
  readonly needs_operator: string | null
}

/** `GET /api/sessions`, or none while the daemon is not answering yet. */
export const sessionsOf = async (p: { readonly api: (path: string) => Promise<Response> }) => {
  try {
    return (await (await p.api("/api/sessions")).json()) as ReadonlyArray<SessionView>
  } catch {
    return [] as ReadonlyArray<SessionView>
  }
}

/** Waits until every named session is in `phase` (the daemon's view). */
export const untilPhase = (
  p: { readonly api: (path: string) => Promise<Response>; readonly log: () => string },
  names: ReadonlyArray<string>,
  phase: string,
  ms = 90_000,
) =>
  eventually(
    async () => {
      const all = await sessionsOf(p)
      return names.every((n) => all.find((s) => s.name === n)?.phase === phase) ? all : undefined
    },
    ms,
    p.log,
  )

/** The daemon's log and every named pane's screen: what a failed wait shows. */
export const explain =
  (
    p: { readonly log: () => string; readonly server: { readonly tmux: (...a: Array<string>) => string } },
    names: ReadonlyArray<string>,
  ) =>
  () =>
    [
      p.log(),
      ...names.map((n) => {
        try {
          return `--- ${n}\n${p.server.tmux("capture-pane", "-p", "-t", `=${n}:`).replace(/─{20,}/g, "────")}`
        } catch (e) {
          return `--- ${n}: ${String(e)}`
        }
      }),
    ].join("\n")

/** Types into a pane as an operator would: the keys, then Enter. */
export const typeInto = (
  p: { readonly server: { readonly tmux: (...a: Array<string>) => string } },
  name: string,
  text: string,
) =>
  Effect.promise(async () => {
    p.server.tmux("send-keys", "-t", `=${name}:`, "-l", text)
    // As an operator does: Enter once the text shows in the input box. Claude Code takes keys that arrive in
    // one burst for a paste, where an Enter is a newline (on a loaded machine the text and the Enter can merge).
    await eventually(
      () => (p.server.tmux("capture-pane", "-p", "-J", "-t", `=${name}:`).includes(text) ? true : undefined),
      10_000,
      () => p.server.tmux("capture-pane", "-p", "-J", "-t", `=${name}:`),
    )
    await new Promise((r) => setTimeout(r, 200))
    p.server.tmux("send-keys", "-t", `=${name}:`, "Enter")
  })

/** Waits until task `id` is in done/. */
export const untilDone = (
  p: { readonly ls: (state: string) => ReadonlyArray<string>; readonly log: () => string },
  id: string,
  ms: number,
  describe: () => string = p.log,
) => eventually(() => (p.ls("done").includes(`${id}.md`) ? true : undefined), ms, describe)

/** A real-Claude project with its daemon started and the `ready` sessions at their prompt. */
export const startedProject = (
  options: Parameters<typeof realClaudeProject>[0],
  ready: ReadonlyArray<string>,
) =>
  Effect.promise(async () => {
    const p = await realClaudeProject(options)
    p.start()
    await untilPhase(p, ready, "ready")
    return p
  })
