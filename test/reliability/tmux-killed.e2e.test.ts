// Fault 18 (RELIABILITY.md): the tmux server is killed from outside while tasks are in flight. The tasks go back
// to pending/ with their attempt counted, the daemon starts its sessions again, and each task is done on its
// second attempt. The daemon itself never exits.

import { existsSync, readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { daemonProject } from "../support/daemonProject.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "tmux-killed-token"

describe("fault 18: the tmux server killed from outside", () => {
  it.live(
    "fault 18: the tmux server killed from outside (tmux kill-server) -> tasks in flight back to pending with their attempt counted, sessions recreated, then done with attempt 2; the daemon never exits",
    () =>
      Effect.promise(async () => {
        const p = await daemonProject({ poolSize: 2, workMs: 4_000, token: TOKEN })
        const stateFile = path.join(p.dir, "state", "state.json")
        const attempts = (): Record<string, number> =>
          existsSync(stateFile)
            ? (JSON.parse(readFileSync(stateFile, "utf8")) as { attempts: Record<string, number> }).attempts
            : {}
        let sampler: ReturnType<typeof setInterval> | undefined
        try {
          const inFlight = ["slow-1", "slow-2"]
          for (const id of inFlight) {
            const added = await p.ccl(["queue", "add", "--text", `Work on ${id} for a while`, "--id", id])
            expect(added.code).toBe(0)
          }
          const daemon = p.start()
          let exited: string | undefined
          daemon.once("exit", (code, signal) => {
            exited = `code ${code} signal ${signal}`
          })

          // Both tasks reached their agents (the prompt is in a transcript) and are being worked on.
          await eventually(
            () =>
              inFlight.every((id) => p.prompts().some((t) => t.includes(`[ccl task ${id}:`))) &&
              p.ls("active").length === 2
                ? true
                : undefined,
            60_000,
            () => `not both in flight: active ${p.ls("active")}; log:\n${p.log()}`,
          )
          expect(attempts()).toMatchObject({ "slow-1": 1, "slow-2": 1 })
          const sessionsBefore = p.server.tmux("list-sessions", "-F", "#{session_name} #{pane_pid}")

          // Watch where each task is from now on, with the attempt state.json holds for it then.
          const seenPending = new Map<string, number | undefined>()
          sampler = setInterval(() => {
            try {
              for (const id of inFlight)
                if (p.ls("pending").includes(`${id}.md`) && !seenPending.has(id))
                  seenPending.set(id, attempts()[id])
            } catch {}
          }, 10)

          p.server.kill()

          await eventually(
            () => (inFlight.every((id) => p.ls("done").includes(`${id}.md`)) ? true : undefined),
            120_000,
            () =>
              `not done: pending ${p.ls("pending")} active ${p.ls("active")} failed ${p.ls("failed")}; log:\n${p.log()}`,
          )
          clearInterval(sampler)

          // Back in pending/ with the first attempt counted...
          for (const id of inFlight) {
            expect(seenPending.has(id), `${id} never seen in pending/`).toBe(true)
            expect(seenPending.get(id)).toBe(1)
            expect(p.log()).toMatch(
              new RegExp(`task ${id} given back from ccl-pool-\\d: session_dead: .*\\(attempt 1 of 3\\)`),
            )
          }
          // ...then done on the second attempt, by sessions started again on a new tmux server.
          for (const id of inFlight) {
            expect(p.footer("done", id)).toMatchObject({ status: "completed", route: "local", attempt: 2 })
            expect(p.prompts().filter((t) => t.includes(`[ccl task ${id}:`))).toHaveLength(2)
          }
          // Filed: nothing of them is kept in state.json (fault 23), the footers hold the attempt.
          // (written just after the done/ file: wait for it)
          await eventually(
            () => (Object.keys(attempts()).length === 0 ? true : undefined),
            10_000,
            () => JSON.stringify(attempts()),
          )
          expect(p.ls("failed")).toEqual([])
          const sessionsAfter = p.server.tmux("list-sessions", "-F", "#{session_name} #{pane_pid}")
          expect(
            sessionsAfter
              .split("\n")
              // (not the daemon's control-mode holder session, which ccl never lists)
              .filter((l) => l !== "" && !l.startsWith("_ccl-control-"))
              .map((l) => l.split(" ")[0])
              .sort(),
          ).toEqual(["ccl-pool-1", "ccl-pool-2"])
          expect(sessionsAfter).not.toEqual(sessionsBefore)

          // The daemon lived through it all and still answers.
          expect(exited).toBeUndefined()
          const status = await p.api("/api/status")
          expect(status.status).toBe(200)
          const body = (await status.json()) as { queue: Record<string, number>; sessions: Array<unknown> }
          expect(body.queue).toMatchObject({ pending: 0, active: 0, done: 2, failed: 0 })
          expect(body.sessions).toHaveLength(2)
          expect(await p.stop()).toBe(0)
        } finally {
          if (sampler !== undefined) clearInterval(sampler)
          await p.stop()
          p.server.kill()
        }
      }),
    180_000,
  )
})
