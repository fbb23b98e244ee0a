// Notifications end to end: a real daemon with simulated agents (private tmux socket) and two accounts, two
// webhooks in this process: one records (signed), one never answers. A usage limit and its failover, a task that
// fails for good: each told once with a valid signature, and the daemon dispatches while a delivery hangs.

import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { daemonProject } from "../support/daemonProject.js"
import { addTaskFile } from "../support/projectTasks.js"
import { eventually } from "../support/tmux.js"
import { signedWith, webhookReceiver } from "../support/webhookReceiver.js"

const TOKEN = "notify-e2e"
const SECRET = "e2e-webhook-secret"

const add = addTaskFile

describe("notifications (real daemon, simulated agents, webhooks in this process)", () => {
  it.live(
    "limit_hit, failover, task_failed: each once, signed; a webhook that never answers delays nothing",
    () =>
      Effect.gen(function* () {
        const receiver = yield* Effect.promise(() => webhookReceiver((p) => (p === "/hang" ? "hang" : 200)))
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 2,
            workMs: 200,
            token: TOKEN,
            accounts: ["main", "backup"],
            yaml: [
              "notify:",
              `  - { url: "${receiver.url("/events")}", secret_env: CCL_TEST_HOOK_SECRET, events: [limit_hit, failover, task_failed] }`,
              `  - { url: "${receiver.url("/hang")}" }`,
            ],
          }),
        )
        const waitFor = (check: () => boolean, what: string) =>
          Effect.promise(() =>
            eventually(
              () => (check() ? true : undefined),
              90_000,
              () =>
                `${what}\nreceived: ${JSON.stringify(receiver.received.map((r) => [r.path, r.body]))}\n${p.log()}`,
            ),
          )
        p.start({ CCL_TEST_HOOK_SECRET: SECRET })
        yield* Effect.promise(() => add(p, "limited", "Port the parser [limit]\n"))
        // The first notification reached the webhook that never answers: its delivery hangs from now on.
        yield* waitFor(() => receiver.at("/hang").length > 0, "a delivery to /hang")
        yield* Effect.promise(async () => {
          await add(p, "flaky", "---\nmax_attempts: 1\n---\nCall the API [api-error]\n")
          await add(p, "plain", "Just work\n")
        })
        yield* waitFor(
          () =>
            ["limited.md", "plain.md"].every((f) => p.ls("done").includes(f)) &&
            p.ls("failed").includes("flaky.md"),
          "limited and plain done, flaky failed",
        )
        // Dispatched and filed while the hung delivery stayed open.
        expect(receiver.at("/hang").every((r) => !r.answered)).toBe(true)
        yield* waitFor(
          () =>
            ["limit_hit", "failover", "task_failed"].every((e) => receiver.events("/events", e).length > 0),
          "the three notifications",
        )
        yield* Effect.promise(() => p.stop())

        const events = receiver.at("/events")
        for (const r of events) expect(signedWith(r, SECRET), r.body).toBe(true)
        // Only what the webhook subscribed to, each once.
        expect(events.map((r) => r.headers["x-ccl-event"]).sort()).toEqual([
          "failover",
          "limit_hit",
          "task_failed",
        ])
        expect(new Set(events.map((r) => r.headers["x-ccl-delivery"])).size).toBe(3)
        expect(receiver.events("/events", "limit_hit")[0]).toMatchObject({
          event: "limit_hit",
          account: "main",
          session: expect.stringMatching(/^ccl-pool-[12]$/),
        })
        expect(receiver.events("/events", "failover")[0]).toMatchObject({
          account: "backup",
          detail: expect.stringMatching(/^failover main -> backup: /),
        })
        expect(receiver.events("/events", "task_failed")[0]).toMatchObject({
          task: "flaky",
          account: "backup",
          detail: expect.stringContaining("agent_error"),
        })
      }),
  )

  it.live(
    "a permission prompt (needs_input) and a session gone (session_dead) reach the webhook once each, signed",
    () =>
      Effect.gen(function* () {
        const receiver = yield* Effect.promise(() => webhookReceiver())
        const p = yield* Effect.promise(() =>
          daemonProject({
            poolSize: 1,
            workMs: 200,
            token: TOKEN,
            yaml: [
              "notify:",
              `  - { url: "${receiver.url("/ops")}", secret_env: CCL_TEST_HOOK_SECRET, events: [needs_input, session_dead] }`,
            ],
          }),
        )
        p.start({ CCL_TEST_HOOK_SECRET: SECRET })
        yield* Effect.promise(() =>
          eventually(
            async () => {
              const r = await p.api("/api/sessions").catch(() => undefined)
              const all = r?.ok ? ((await r.json()) as Array<{ phase: string }>) : []
              return all[0]?.phase === "ready" ? true : undefined
            },
            30_000,
            p.log,
          ),
        )
        // Claude Code asks for a permission: its Notification hook, the command `ccl hooks install` wrote, in the
        // session's environment.
        const settings = JSON.parse(readFileSync(path.join(p.homes.main!, "settings.json"), "utf8"))
        const command = settings.hooks.Notification[0].hooks[0].command as string
        const hook = spawnSync("sh", ["-c", command], {
          input: JSON.stringify({
            session_id: "0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b",
            hook_event_name: "Notification",
            notification_type: "permission_prompt",
            message: "Claude needs your permission to use Bash",
          }),
          env: {
            PATH: process.env.PATH ?? "",
            CCL_SESSION: "ccl-pool-1",
            CCL_STATE: path.join(p.dir, "state"),
          },
        })
        expect(hook.status, String(hook.stderr)).toBe(0)
        yield* Effect.promise(() =>
          eventually(
            () => (receiver.events("/ops", "needs_input").length > 0 ? true : undefined),
            30_000,
            p.log,
          ),
        )
        // The session's tmux session is killed: dead once, then started again.
        p.server.tmux("kill-session", "-t", "=ccl-pool-1")
        yield* Effect.promise(() =>
          eventually(
            () => (receiver.events("/ops", "session_dead").length > 0 ? true : undefined),
            30_000,
            p.log,
          ),
        )
        yield* Effect.sleep("1 second")
        expect(receiver.events("/ops", "needs_input")).toHaveLength(1)
        expect(receiver.events("/ops", "session_dead")).toHaveLength(1)
        expect(receiver.events("/ops", "session_dead")[0]).toMatchObject({ session: "ccl-pool-1" })
        for (const r of receiver.at("/ops")) expect(signedWith(r, SECRET), r.body).toBe(true)
        yield* Effect.promise(() => p.stop())
      }),
    120_000,
  )
})
