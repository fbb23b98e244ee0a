import { existsSync, readdirSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { transcriptEntries } from "../../domain/TranscriptEntries.js"
import { peekDaemonState } from "../../layers/StateStoreFile.js"
import type { FailoverEvent } from "./DemoProgress.js"
import type { DemoLayout } from "./DemoProject.js"

// What the demo reads of the daemon's work: its API, the queue folders, its state file, the transcripts, its log.

/** GET on the daemon's API; undefined when it does not answer 200 with JSON. */
export const getJson = (port: number, token: string, route: string) =>
  Effect.tryPromise(async () => {
    const r = await fetch(`http://127.0.0.1:${port}${route}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(2000),
    })
    return r.status === 200 ? ((await r.json()) as unknown) : undefined
  }).pipe(Effect.orElseSucceed(() => undefined))

export const tasksIn = (l: DemoLayout, state: "done" | "failed") => {
  const dir = path.join(l.queue, state)
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".md")) : []
}

/** The swaps so far, from state.json (read as the daemon does, through its one decoder). */
export const readHistory = (l: DemoLayout): ReadonlyArray<FailoverEvent> | undefined =>
  peekDaemonState(l.state)?.history

/** Every user prompt in the shared transcripts (`<shared>/projects/<slug>/<uuid>.jsonl`). */
export const userPrompts = (l: DemoLayout): ReadonlyArray<string> => {
  const root = path.join(l.shared, "projects")
  if (!existsSync(root)) return []
  return readdirSync(root).flatMap((slug) =>
    readdirSync(path.join(root, slug))
      .filter((f) => f.endsWith(".jsonl"))
      .flatMap((f) =>
        transcriptEntries(readFileSync(path.join(root, slug, f), "utf8")).flatMap((e) =>
          e.type === "user" ? [String((e.message as { content?: unknown } | undefined)?.content)] : [],
        ),
      ),
  )
}

export const logTail = (l: DemoLayout, lines: number) => {
  try {
    return readFileSync(l.log, "utf8").trimEnd().split("\n").slice(-lines)
  } catch {
    return []
  }
}
