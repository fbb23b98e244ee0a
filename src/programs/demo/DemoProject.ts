// The demo's project: a temporary folder (queue, state, two account homes sharing one root, the sessions'
// working folders) and the ccl.yaml that runs the pool there on a private tmux server with simulated agents.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { Effect, Schedule, type Scope } from "effect"
import { failure } from "../cli/failure.js"

/** The dedicated session: the operator's own conversation, which the daemon never dispatches to. */
export const DEDICATED = "ccl-demo-notes"

export interface DemoLayout {
  readonly dir: string
  readonly config: string
  readonly queue: string
  readonly state: string
  readonly homes: { readonly main: string; readonly backup: string }
  readonly shared: string
  readonly notes: string
  readonly work: string
  readonly log: string
}

/** Where everything lives under the demo folder `dir`. */
export const demoLayout = (dir: string): DemoLayout => ({
  dir,
  config: path.join(dir, "ccl.yaml"),
  queue: path.join(dir, "queue"),
  state: path.join(dir, "state"),
  homes: { main: path.join(dir, "home-main"), backup: path.join(dir, "home-backup") },
  shared: path.join(dir, "shared"),
  notes: path.join(dir, "notes"),
  work: path.join(dir, "work"),
  log: path.join(dir, "daemon.log"),
})

export interface DemoConfigOptions {
  readonly socket: string
  /** Node and the ccl script the simulated agents run as. */
  readonly node: string
  readonly script: string
  readonly workMs: number
  readonly secutoolsUrl: string
  readonly apiPort: number
}

/** A YAML string that holds any path (JSON strings are YAML double-quoted scalars). */
const q = (s: string) => JSON.stringify(s)

/** The demo's ccl.yaml. */
export const demoConfig = (l: DemoLayout, o: DemoConfigOptions): string =>
  [
    "# Written by ccl demo: a pool of simulated agents on a private tmux server, two accounts, mock secutools.",
    `queue: ${q(l.queue)}`,
    `state: ${q(l.state)}`,
    `tmux: { socket: ${q(o.socket)} }`,
    `agent: { command: ${q(o.node)}, args: [${q(o.script)}, sim-agent, --work-ms, "${o.workMs}"] }`,
    `pool: { size: 3, cwd: ${q(l.work)} }`,
    `dedicated: [{ name: ${DEDICATED}, cwd: ${q(l.notes)} }]`,
    `accounts: [{ name: main, home: ${q(l.homes.main)} }, { name: backup, home: ${q(l.homes.backup)} }]`,
    `shared: { root: ${q(l.shared)} }`,
    `delegation: { url: ${q(o.secutoolsUrl)}, poll: 300ms }`,
    `api: { port: ${o.apiPort} }`,
    "",
  ].join("\n")

/** A port free on 127.0.0.1 right now. */
export const freePort: Effect.Effect<number, ReturnType<typeof failure>> = Effect.async((resume) => {
  const server = createServer()
  server.on("error", (e) => resume(Effect.fail(failure(`demo: cannot find a free port: ${e.message}`))))
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port
    server.close(() => resume(Effect.succeed(port)))
  })
})

/**
 * A fresh folder with the project's directories, removed when the scope closes unless `keep`.
 * `kept()` says afterwards whether it is still there.
 */
export const demoFolderScoped = (
  keep: boolean,
): Effect.Effect<
  { readonly layout: DemoLayout; readonly kept: () => boolean },
  ReturnType<typeof failure>,
  Scope.Scope
> => {
  let kept = true
  return Effect.acquireRelease(
    Effect.try({
      try: () => {
        const layout = demoLayout(mkdtempSync(path.join(tmpdir(), "ccl-demo-")))
        for (const d of [
          layout.queue,
          layout.state,
          layout.shared,
          layout.notes,
          layout.work,
          ...Object.values(layout.homes),
        ])
          mkdirSync(d, { recursive: true, mode: 0o700 })
        return { layout, kept: () => kept }
      },
      catch: (e) =>
        failure(`demo: cannot create a folder under ${tmpdir()}: ${(e as Error).message} (set TMPDIR)`),
    }),
    ({ layout }) =>
      keep
        ? Effect.void
        : Effect.try(() =>
            rmSync(layout.dir, { recursive: true, force: true, maxRetries: 2, retryDelay: 100 }),
          ).pipe(
            // Agents and their hooks may still be writing for a moment after their sessions stop.
            Effect.retry({ schedule: Schedule.spaced("500 millis"), times: 12 }),
            Effect.match({
              onSuccess: () => {
                kept = false
              },
              onFailure: (e) =>
                process.stderr.write(
                  `ccl: demo: cannot remove ${layout.dir}: ${e.error instanceof Error ? e.error.message : String(e.error)}\n`,
                ),
            }),
          ),
  )
}
