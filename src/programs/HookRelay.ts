import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Console, Duration, Effect } from "effect"
import { hookPayload } from "../domain/HookRecord.js"
import { AppConfig } from "../services/AppConfig.js"
import { readApiToken } from "./ApiTokenFile.js"

/** Where hook events wait when the daemon is down; the daemon replays the file on start. */
export const eventsFile = (stateDir: string) => path.join(stateDir, "events.jsonl")

// Generous: under load the daemon may take a moment, and a queued event waits for the next pass of the daemon.
const POST_TIMEOUT = Duration.millis(5_000)

/**
 * `ccl hook EVENT`: hands Claude Code's event to the daemon (POST /api/hooks), or appends it to the events file
 * when the daemon cannot take it. Never fails: a hook must not disturb Claude Code.
 */
export const relayHookEvent = (event: string, stdin: string, cclSession: string | undefined) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    // Claude's JSON as it came: the daemon decodes it (HookRecord) and answers 400 to what it cannot read.
    const record = {
      event,
      ccl_session: cclSession ?? null,
      received_at: new Date().toISOString(),
      payload: hookPayload(stdin),
    }
    const client = yield* HttpClient.HttpClient
    // In a daemon's session CCL_API_TOKEN is not in the environment: the daemon left it in <state>/api-token.
    const token = settings.api.token ?? readApiToken(settings.state)
    const url = `http://${settings.api.host.includes(":") ? `[${settings.api.host}]` : settings.api.host}:${settings.api.port}/api/hooks`
    const request = HttpClientRequest.post(url).pipe(
      HttpClientRequest.bodyUnsafeJson(record),
      token === undefined ? (r) => r : HttpClientRequest.bearerToken(token),
    )
    const delivered = yield* client.execute(request).pipe(
      Effect.map((response) => response.status >= 200 && response.status < 300),
      Effect.timeout(POST_TIMEOUT),
      Effect.orElseSucceed(() => false),
    )
    if (delivered) return "delivered" as const
    const fs = yield* FileSystem.FileSystem
    const file = eventsFile(settings.state)
    yield* fs.makeDirectory(settings.state, { recursive: true, mode: 0o700 })
    // One write of one line with O_APPEND: concurrent hooks never interleave within a line.
    yield* fs.writeFileString(file, `${JSON.stringify(record)}\n`, { flag: "a", mode: 0o600 })
    return "queued" as const
  }).pipe(Effect.orElseSucceed(() => "lost" as const))

/** Reads all of stdin, bounded: a hook's JSON is small, and a hook must never hang. */
export const readHookStdin = Effect.tryPromise(async () => {
  if (process.stdin.isTTY) return ""
  const chunks: Array<Buffer> = []
  let size = 0
  const timer = setTimeout(() => process.stdin.destroy(), 10_000) // generous: a loaded machine is slow to read
  try {
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Buffer)
      size += (chunk as Buffer).length
      if (size > 1024 * 1024) break
    }
  } finally {
    clearTimeout(timer)
  }
  return Buffer.concat(chunks).toString("utf8")
}).pipe(Effect.orElseSucceed(() => ""))

/** `ccl hook EVENT` (what the installed hooks run), for the full CLI and the fast path alike. */
export const runHook = (event: string) =>
  Effect.gen(function* () {
    const stdin = yield* readHookStdin
    const outcome = yield* relayHookEvent(event, stdin, process.env.CCL_SESSION)
    if (outcome === "lost")
      yield* Console.error(`ccl hook ${event}: the daemon is unreachable and the events file is not writable`)
  })
