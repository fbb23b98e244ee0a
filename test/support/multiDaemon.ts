// Several `ccl daemon` processes on one queue, as on several machines (DESIGN.md "Several machines"): each node is
// a daemonProject of its own (ccl.yaml, private tmux server `-L`, state folder, account homes, simulated-agent
// pool, API port) named `n1`, `n2`, ... by `node:`, all configured with the same `queue:` (a Postgres URL). What
// the queue holds is read through the CLI, so the harness works whatever the backend.

import { mkdirSync } from "node:fs"
import * as path from "node:path"
import { type daemonProject as DaemonProject, daemonProject } from "./daemonProject.js"
import { tempDir } from "./tempDir.js"

type Node = Awaited<ReturnType<typeof DaemonProject>>

export interface MultiDaemonOptions {
  /** How many daemons (nodes n1..nN). */
  readonly nodes: number
  /** The one queue they share: a postgres:// URL (pgDatabase), or a folder. */
  readonly queue: string
  readonly poolSize: number
  readonly workMs: number
  /** A node's own agent work time (0-based index), e.g. a slow node to kill mid-task; default workMs. */
  readonly workMsOf?: (i: number) => number
  readonly token: string
  /** A drop folder every node watches (queue_inbox), created under a temp folder of its own. */
  readonly inbox?: boolean
  /** More ccl.yaml lines for every node. */
  readonly yaml?: ReadonlyArray<string>
}

export interface QueuedTask {
  readonly id: string
  readonly state: string
}

/** A queued task as `ccl queue show --json` gives it: its text and the footer of its last run. */
export interface ShownTask extends QueuedTask {
  readonly text: string
  readonly result: Record<string, unknown> | null
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const multiDaemon = async (options: MultiDaemonOptions) => {
  const inbox = options.inbox === true ? path.join(tempDir("ccl-inbox-"), "inbox") : undefined
  if (inbox !== undefined) mkdirSync(inbox, { recursive: true })
  const nodes: Array<Node> = []
  // One after the other: each runs `ccl accounts ensure` and `ccl hooks install`, light work on a loaded machine.
  for (let i = 1; i <= options.nodes; i++)
    nodes.push(
      await daemonProject({
        poolSize: options.poolSize,
        workMs: options.workMsOf?.(i - 1) ?? options.workMs,
        token: options.token,
        queue: options.queue,
        yaml: [
          `node: n${i}`,
          ...(inbox === undefined ? [] : [`queue_inbox: ${inbox}`]),
          ...(options.yaml ?? []),
        ],
      }),
    )
  const first = nodes[0]!
  /** Every node's daemon log, each line prefixed by its node: what a failing wait prints. */
  const log = () =>
    nodes
      .map((n, i) =>
        n
          .log()
          .split("\n")
          .map((l) => `[n${i + 1}] ${l}`)
          .join("\n"),
      )
      .join("\n")
  /** A ccl command on node `at` (default n1); any node's sees the same queue. */
  const ccl = (args: ReadonlyArray<string>, at = 0) => nodes[at]!.ccl(args)
  const tasks = async (state?: string): Promise<ReadonlyArray<QueuedTask>> => {
    const r = await ccl(["queue", "list", "--json", ...(state === undefined ? [] : ["--state", state])])
    if (r.code !== 0) throw new Error(`ccl queue list failed: ${r.stderr}`)
    return JSON.parse(r.stdout) as ReadonlyArray<QueuedTask>
  }
  const show = async (id: string): Promise<ShownTask> => {
    const r = await ccl(["queue", "show", id, "--json"])
    if (r.code !== 0) throw new Error(`ccl queue show ${id} failed: ${r.stderr}`)
    return JSON.parse(r.stdout) as ShownTask
  }
  /** Every prompt any node's agents received. */
  const prompts = () => nodes.flatMap((n) => n.prompts())
  /** How many times task `id` was typed into a session, over all nodes. */
  const sentTimes = (id: string) => prompts().filter((t) => t.startsWith(`[ccl task ${id}:`)).length
  /**
   * Until `check` holds (each look runs the CLI, so a few per second at most); a timeout names what was seen and
   * every node's log.
   */
  const waitFor = async (check: () => Promise<boolean>, what: string, ms = 120_000) => {
    const deadline = Date.now() + ms
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${log()}`)
      await sleep(300)
    }
  }
  return {
    nodes,
    inbox,
    first,
    ccl,
    tasks,
    show,
    prompts,
    sentTimes,
    waitFor,
    log,
    /** Starts every node's daemon (or only node `i`, 0-based). */
    start: (i?: number) => (i === undefined ? nodes.map((n) => n.start()) : [nodes[i]!.start()]),
    /** Stops every daemon (SIGTERM, or `signal`); the exit codes. */
    stopAll: (signal: NodeJS.Signals = "SIGTERM") => Promise.all(nodes.map((n) => n.stop(signal))),
    /** Stops node `i` (0-based): SIGKILL is a machine that died. */
    stop: (i: number, signal: NodeJS.Signals = "SIGTERM") => nodes[i]!.stop(signal),
    /** Node `i` (0-based) dies as a machine does: its daemon killed (SIGKILL) and its tmux server with it. */
    crash: async (i: number) => {
      await nodes[i]!.stop("SIGKILL")
      nodes[i]!.server.kill()
    },
  }
}

export type MultiDaemon = Awaited<ReturnType<typeof multiDaemon>>
