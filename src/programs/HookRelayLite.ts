// `ccl hook EVENT` in plain Node, no Effect: scripts/codeCacheLoader.mjs runs this before (instead of) reading and
// compiling the program, for the hooks of the sessions the daemon creates. It must answer as HookRelay.ts
// (relayHookEvent, readHookStdin) and AppConfigLive do: same record, same URL and token, same events file.

import * as fs from "node:fs"
import * as http from "node:http"
import * as os from "node:os"
import * as path from "node:path"
import { hookPayload } from "../domain/HookPayload.js"
import { readApiToken } from "./ApiTokenFile.js"

type Env = Readonly<Record<string, string | undefined>>

/** A hook the lite relay can deliver on its own: everything AppConfigLive would have resolved for it. */
export interface LiteHook {
  readonly event: string
  readonly cclSession: string | undefined
  readonly url: string
  readonly token: string | undefined
  readonly state: string
}

const STDIN_LIMIT = 1024 * 1024
// Claude Code writes the event and closes stdin at once; the bound only matters on a loaded machine or a stuck writer.
const STDIN_TIMEOUT_MS = 10_000
const POST_TIMEOUT_MS = 5_000

// As Config.port.
const isPort = (text: string) => {
  const n = Number(text)
  return Number.isInteger(n) && String(n) === text && n >= 1 && n <= 65535
}
const expandHome = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p)

/**
 * What `ccl hook EVENT` would resolve from argv and the environment, or undefined when only the full CLI can
 * say (it then runs unchanged): argv other than exactly `hook EVENT`, CCL_API_PORT or CCL_STATE unset, a value
 * the config loader refuses, or a setting that a config file may hold (api.host when CCL_API_HOST is unset, the
 * folder a relative CCL_STATE is resolved from).
 */
export const liteHook = (argv: ReadonlyArray<string>, env: Env, cwd: string): LiteHook | undefined => {
  const [command, event] = argv
  if (argv.length !== 2 || command !== "hook" || event === undefined || event.startsWith("-"))
    return undefined
  const { CCL_API_HOST: envHost, CCL_API_PORT: port, CCL_STATE: envState } = env
  if (port === undefined || envState === undefined || !isPort(port) || envHost === "") return undefined
  // The config file AppConfigLive reads: $CCL_CONFIG, else ./ccl.yaml when present (a missing $CCL_CONFIG is an
  // error there). Looked at only when the environment alone does not settle host and state.
  const configFile = () => {
    const file = path.resolve(cwd, env.CCL_CONFIG || "ccl.yaml")
    return fs.existsSync(file) ? file : env.CCL_CONFIG ? null : undefined
  }
  const stateText = expandHome(envState)
  let state = path.resolve(cwd, stateText)
  if (!path.isAbsolute(stateText)) {
    const file = configFile()
    if (file === null) return undefined
    if (file !== undefined) state = path.resolve(path.dirname(file), stateText)
  }
  if (envHost === undefined && configFile() !== undefined) return undefined
  const host = envHost ?? "127.0.0.1"
  return {
    event,
    cclSession: env.CCL_SESSION,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}/api/hooks`,
    token: env.CCL_API_TOKEN || readApiToken(state),
    state,
  }
}

/** All of `input`, bounded in size and time; as readHookStdin, a stream still open at the timeout reads as "". */
export const readBounded = (input: NodeJS.ReadStream, limit: number, timeoutMs: number): Promise<string> =>
  new Promise((resolve) => {
    if (input.isTTY) return resolve("")
    const chunks: Array<Buffer> = []
    let size = 0
    const done = (text: string) => {
      clearTimeout(timer)
      input.destroy()
      resolve(text)
    }
    const timer = setTimeout(() => done(""), timeoutMs)
    input.on("data", (chunk: Buffer) => {
      chunks.push(chunk)
      size += chunk.length
      if (size > limit) done(Buffer.concat(chunks).toString("utf8"))
    })
    input.on("end", () => done(Buffer.concat(chunks).toString("utf8")))
    input.on("error", () => done(""))
  })

/** POSTs `body` as JSON; true on a 2xx answer within `timeoutMs`, false on anything else. */
export const postJson = (url: string, token: string | undefined, body: string, timeoutMs: number) =>
  new Promise<boolean>((resolve) => {
    let request: http.ClientRequest
    try {
      request = http.request(url, {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        },
      })
    } catch {
      return resolve(false)
    }
    const timer = setTimeout(() => request.destroy(), timeoutMs)
    request.on("close", () => clearTimeout(timer))
    request.on("error", () => resolve(false))
    request.on("response", (response) => {
      resolve(response.statusCode !== undefined && response.statusCode >= 200 && response.statusCode < 300)
      response.resume()
    })
    request.end(body)
  })

/** Appends one line to <state>/events.jsonl in one write with O_APPEND: concurrent hooks never interleave. */
export const appendEvent = (state: string, line: string): boolean => {
  try {
    fs.mkdirSync(state, { recursive: true, mode: 0o700 })
    fs.appendFileSync(path.join(state, "events.jsonl"), line, { mode: 0o600 })
    return true
  } catch {
    return false
  }
}

/** Relays the event on stdin to the daemon, else queues it. Never fails and leaves exit code 0. */
export const runHookLite = async (hook: LiteHook, receivedAt: Date): Promise<void> => {
  try {
    const stdin = await readBounded(process.stdin, STDIN_LIMIT, STDIN_TIMEOUT_MS)
    const record = {
      event: hook.event,
      ccl_session: hook.cclSession ?? null,
      received_at: receivedAt.toISOString(),
      payload: hookPayload(stdin),
    }
    const body = JSON.stringify(record)
    if ((await postJson(hook.url, hook.token, body, POST_TIMEOUT_MS)) || appendEvent(hook.state, `${body}\n`))
      return
    process.stderr.write(
      `ccl hook ${hook.event}: the daemon is unreachable and the events file is not writable\n`,
    )
  } catch {
  } finally {
    process.exitCode = 0
  }
}
