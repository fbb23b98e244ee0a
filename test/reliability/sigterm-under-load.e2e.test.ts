// Fault 19 (RELIABILITY.md): SIGTERM under load. The daemon stops dispatching, finishes the step in hand, releases
// its lock and exits 0; the next start adopts the sessions and their tasks (a Stop that arrived meanwhile is
// replayed from the events file) and carries on: every task done once, none failed, none sent twice.

import { existsSync, readdirSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "sigterm-under-load-token"

type Project = Awaited<ReturnType<typeof daemonProject>>

const placesOf = (p: Project, id: string) =>
  (["pending", "active", "done", "failed"] as const).filter((s) => p.ls(s).includes(`${id}.md`))

/** 24 tasks in pending/, the daemon started on them. */
const loaded = async (p: Project) => {
  const ids = Array.from({ length: 24 }, (_, i) => `load-${String(i + 1).padStart(2, "0")}`)
  for (const id of ids) {
    const added = await p.ccl(["queue", "add", "--text", `Task ${id}: tidy one module`, "--id", id])
    expect(added.code).toBe(0)
  }
  p.start()
  return ids
}

describe("fault 19: SIGTERM under load", () => {
  it.live(
    "fault 19: SIGTERM under load (3 sessions, 24 tasks, a third done) -> exit 0, lock released; the next start finishes all 24, none failed, each prompt sent exactly once",
    () =>
      Effect.promise(async () => {
        const p = await daemonProject({ poolSize: 3, workMs: 300, token: TOKEN })
        const lock = path.join(p.dir, "queue", ".daemon.lock")
        try {
          const ids = await loaded(p)
          await eventually(
            () => (existsSync(lock) ? true : undefined),
            30_000,
            () => `no lock file; log:\n${p.log()}`,
          )
          await eventually(
            () => (p.ls("done").length >= 8 ? true : undefined),
            120_000,
            () => `done ${p.ls("done").length}; log:\n${p.log()}`,
          )

          const code = await p.stop("SIGTERM")
          expect(code, p.log()).toBe(0)
          expect(existsSync(lock)).toBe(false)
          const doneAtStop = p.ls("done").length
          expect(doneAtStop).toBeLessThan(24)
          // Nothing lost while no daemon runs: every task is somewhere in the queue.
          // (Exactly one since filing is uninterruptible: the second test below checks that.)
          expect(ids.filter((id) => placesOf(p, id).length === 0)).toEqual([])
          expect(p.ls("failed")).toEqual([])

          p.start()
          await eventually(
            () => (p.ls("done").length === 24 ? true : undefined),
            180_000,
            () =>
              `done ${p.ls("done").length}, pending ${p.ls("pending")}, active ${p.ls("active")}, failed ${p.ls("failed")}; log:\n${p.log()}`,
          )
          expect(p.ls("done")).toEqual(ids.map((id) => `${id}.md`))
          expect(p.ls("failed")).toEqual([])
          // done/ is linked first, then the task leaves active/ (after an fsync of done/).
          await eventually(
            () => (p.ls("pending").length + p.ls("active").length === 0 ? true : undefined),
            10_000,
            () => `pending ${p.ls("pending")}, active ${p.ls("active")}`,
          )
          for (const id of ids)
            expect(p.footer("done", id)).toMatchObject({ status: "completed", route: "local" })

          // Each task's prompt reached an agent exactly once, across both daemons.
          const prompts = p.prompts()
          const sent = Object.fromEntries(
            ids.map((id) => [id, prompts.filter((t) => t.includes(`[ccl task ${id}:`)).length]),
          )
          expect(sent).toEqual(Object.fromEntries(ids.map((id) => [id, 1])))

          expect(await p.stop("SIGTERM")).toBe(0)
          expect(existsSync(lock)).toBe(false)
        } finally {
          await p.stop()
          p.server.kill()
        }
      }),
    300_000,
  )

  it.live(
    "fault 19: SIGTERM the moment a task lands in done/ -> its move is finished before the exit: every task in exactly one folder, tmp/ empty",
    () =>
      Effect.promise(async () => {
        const p = await daemonProject({ poolSize: 3, workMs: 300, token: TOKEN })
        try {
          const ids = await loaded(p)
          await eventually(
            () => (p.ls("done").length >= 8 ? true : undefined),
            120_000,
            () => `done ${p.ls("done").length}; log:\n${p.log()}`,
          )
          expect(await p.stop("SIGTERM")).toBe(0)
          expect(ids.filter((id) => placesOf(p, id).length !== 1)).toEqual([])
          expect(readdirSync(path.join(p.dir, "queue", "tmp"))).toEqual([])
        } finally {
          await p.stop()
          p.server.kill()
        }
      }),
    300_000,
  )
})
