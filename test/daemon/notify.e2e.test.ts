// Notifications end to end: a real daemon with simulated agents (private tmux socket) and two accounts, two
// webhooks in this process: one records (signed), one never answers. A usage limit and its failover, a task that
// fails for good: each told once with a valid signature, and the daemon dispatches while a delivery hangs.

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
})
