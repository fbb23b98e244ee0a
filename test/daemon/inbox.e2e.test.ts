// The queue_inbox drop folder (issue 16): a file dropped there is queued by the daemon, runs, and ends in done/
// exactly once; a file that cannot be queued moves to <inbox>/rejected/ with its reason, never lost. Real tmux
// (private socket), the simulated agent with hooks, the daemon and the CLI as child processes.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { daemonProject } from "../support/daemonProject.js"
import { addTaskFile, type Project, waitUntil } from "../support/projectTasks.js"

const TOKEN = "inbox-e2e"

const sentTimes = (p: Project, id: string) =>
  p.prompts().filter((t) => t.startsWith(`[ccl task ${id}:`)).length

describe("queue_inbox (real tmux, simulated agent)", () => {
  it.live(
    "a dropped file runs once and ends in done/; a clash and a bad file go to rejected/ with a reason",
    () =>
      Effect.gen(function* () {
        const p = yield* Effect.promise(() =>
          daemonProject({ poolSize: 1, workMs: 200, token: TOKEN, yaml: ["queue_inbox: ./inbox"] }),
        )
        const inbox = path.join(p.dir, "inbox")
        const inInbox = () => (existsSync(inbox) ? readdirSync(inbox).sort() : [])
        const rejected = path.join(inbox, "rejected")
        mkdirSync(inbox, { recursive: true })
        // Before the daemon starts: found at its first look.
        writeFileSync(path.join(inbox, "early.md"), "Dropped before the daemon started\n")
        yield* Effect.promise(() => addTaskFile(p, "taken", "The first task of this id\n"))
        p.start()
        yield* waitUntil(p, () => ["early.md", "taken.md"].every((f) => p.ls("done").includes(f)))
        // While it runs: written in place (as cp does), and two that cannot be queued.
        writeFileSync(path.join(inbox, "dropped.md"), "---\npriority: 2\n---\nDo the dropped task\n")
        writeFileSync(path.join(inbox, "taken.md"), "Another task under a used id\n")
        writeFileSync(path.join(inbox, "bad-priority.md"), "---\npriority: high\n---\nBad\n")
        yield* waitUntil(p, () => p.ls("done").includes("dropped.md"))
        yield* waitUntil(p, () => existsSync(path.join(rejected, "bad-priority.md.reason")))
        yield* waitUntil(p, () => existsSync(path.join(rejected, "taken.md.reason")))
        // Each queued once, sent once, finished at its first attempt; nothing left in the inbox but rejected/.
        for (const id of ["early", "dropped", "taken"]) {
          expect(sentTimes(p, id), p.log()).toBe(1)
          expect(p.footer("done", id)).toMatchObject({ status: "completed", attempt: 1 })
        }
        expect(inInbox()).toEqual(["rejected"])
        expect(readFileSync(path.join(p.dir, "queue", "done", "dropped.md"), "utf8")).toMatch(
          /^---\npriority: 2\n---\nDo the dropped task\n/,
        )
        // The clash: the queue keeps the first task's text; the dropped file and why, side by side.
        expect(readFileSync(path.join(p.dir, "queue", "done", "taken.md"), "utf8")).toMatch(
          /^The first task of this id\n/,
        )
        expect(readFileSync(path.join(rejected, "taken.md"), "utf8")).toBe("Another task under a used id\n")
        expect(readFileSync(path.join(rejected, "taken.md.reason"), "utf8")).toBe(
          "task taken already exists in done/ with another text: rename the file to queue it under a new id\n",
        )
        expect(readFileSync(path.join(rejected, "bad-priority.md.reason"), "utf8")).toMatch(
          /^task bad-priority: frontmatter field "priority"/,
        )
        expect(readdirSync(rejected).sort()).toEqual([
          "bad-priority.md",
          "bad-priority.md.reason",
          "taken.md",
          "taken.md.reason",
        ])
        expect(p.ls("failed")).toEqual([])
        yield* Effect.promise(() => p.stop())
      }),
    // A hang guard for a loaded machine, not a time budget.
    150_000,
  )
})
