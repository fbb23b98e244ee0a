import { describe, expect, it } from "vitest"
import { webhooksProblem } from "../../src/domain/ConfigContract.js"
import type { DaemonEvent, EventEnvelope } from "../../src/domain/DaemonEvent.js"
import {
  formatOf,
  jsonBody,
  missingSecret,
  type Notification,
  ntfyMessage,
  shownUrl,
  wants,
} from "../../src/domain/Notification.js"
import { emptyNotifyMemory, notificationOf } from "../../src/domain/NotificationEvents.js"

/** The notifications a run of events makes, in order: [event, session/account/task]. */
const told = (events: ReadonlyArray<DaemonEvent>) => {
  let memory = emptyNotifyMemory
  const out: Array<Notification> = []
  events.forEach((event, i) => {
    const envelope: EventEnvelope = { id: i + 1, at: `2026-01-01T00:00:0${i % 10}.000Z`, event }
    const r = notificationOf(memory, envelope)
    memory = r.memory
    if (r.notification !== undefined) out.push(r.notification)
  })
  return out
}
const session = (name: string, phase: string, more: Partial<DaemonEvent> = {}): DaemonEvent =>
  ({ type: "session", name, phase, state: phase === "dead" ? "dead" : "idle", ...more }) as DaemonEvent

describe("daemon events -> notifications", () => {
  it("a limit, a swap, every account spent, the reset: each once, however often the stream repeats it", () => {
    const limit = (s: string, account: string): DaemonEvent => ({
      type: "failover",
      kind: "limit_hit",
      account,
      session: s,
      reason: "usage limit (hook)",
      reset_at: "2026-01-01T05:00:00.000Z",
    })
    const out = told([
      limit("ccl-pool-1", "main"),
      limit("ccl-pool-2", "main"), // the same limit seen by another session
      { type: "failover", kind: "swapped", from: "main", to: "backup", reason: "usage limit" },
      limit("ccl-pool-1", "backup"),
      { type: "failover", kind: "all_exhausted", from: "backup", to: "main", reason: "x", reset_at: "R" },
      { type: "failover", kind: "all_exhausted", from: "backup", to: "main", reason: "x", reset_at: "R" },
      { type: "failover", kind: "refused", reason: "no account" },
      // The operator's own levers tell the operator nothing.
      { type: "failover", kind: "operator_paused", reason: "the operator" },
      { type: "failover", kind: "cooldown_cleared", account: "main", reason: "the operator" },
      { type: "failover", kind: "operator_resumed", reason: "the operator" },
      { type: "failover", kind: "resumed_at_reset", to: "main", reason: "reset" },
      limit("ccl-pool-1", "main"), // main again after the reset: a new occurrence
    ])
    expect(out.map((n) => [n.event, n.account])).toEqual([
      ["limit_hit", "main"],
      ["failover", "backup"],
      ["limit_hit", "backup"],
      ["all_exhausted", "backup"],
      ["resumed_at_reset", "main"],
      ["limit_hit", "main"],
    ])
    expect(out[0]).toMatchObject({ session: "ccl-pool-1", detail: expect.stringContaining("resets 2026") })
    expect(out[1]!.detail).toBe("failover main -> backup: usage limit")
  })

  it("a failed task is told, a cancelled one is not; retries given back and done tasks are not", () => {
    const out = told([
      { type: "task", id: "a", state: "pending", cause: "agent_error" },
      {
        type: "task",
        id: "a",
        state: "failed",
        cause: "agent_error",
        detail: "500",
        session: "s1",
        attempt: 3,
      },
      { type: "task", id: "b", state: "failed", cause: "cancelled" },
      { type: "task", id: "c", state: "done" },
    ])
    expect(out).toEqual([
      {
        event: "task_failed",
        at: expect.any(String),
        account: undefined,
        session: "s1",
        task: "a",
        detail: "task a failed: agent_error: 500 (attempt 3)",
      },
    ])
  })

  it("a session that stays dead is one session_dead; dead again after a restart is another", () => {
    const out = told([
      session("s1", "working", { task: "t" }),
      session("s1", "dead", { task: "t" }),
      session("s1", "dead"), // its task given back: another change of the same death
      session("s1", "starting"),
      session("s1", "dead"),
    ])
    expect(out.map((n) => [n.event, n.session, n.task])).toEqual([
      ["session_dead", "s1", "t"],
      ["session_dead", "s1", undefined],
    ])
  })

  it("needs_input: a dialog once while it stays, again after it was answered; a permission prompt hook", () => {
    const out = told([
      session("s1", "starting", { needs_operator: "dialog: Enter to confirm" }),
      session("s1", "starting", { state: "waiting", needs_operator: "dialog: Enter to confirm" }),
      session("s1", "ready"),
      session("s1", "starting", { needs_operator: "dialog: Enter to confirm" }),
      { type: "hook", event: "Notification", session: "s2", notification_type: "idle_prompt" },
      { type: "hook", event: "Notification", session: "s2", notification_type: "permission_prompt" },
      { type: "hook", event: "Stop", session: "s2" },
    ])
    expect(out.map((n) => [n.event, n.session])).toEqual([
      ["needs_input", "s1"],
      ["needs_input", "s1"],
      ["needs_input", "s2"],
    ])
    expect(out[0]!.detail).toContain("dialog: Enter to confirm")
  })
})

describe("what a webhook is sent", () => {
  const n: Notification = {
    event: "task_failed",
    at: "2026-01-01T00:00:00.000Z",
    session: "ccl-pool-1",
    task: "build",
    detail: "task build failed: agent_error",
  }

  it("the JSON body: fixed key order, absent fields left out", () => {
    expect(jsonBody(n)).toBe(
      '{"event":"task_failed","at":"2026-01-01T00:00:00.000Z","session":"ccl-pool-1","task":"build","detail":"task build failed: agent_error"}',
    )
  })

  it("ntfy: a text body and ASCII Title/Tags/Priority headers", () => {
    const m = ntfyMessage({ ...n, task: "bâtir" })
    expect(m.headers).toEqual({ Title: "ccl: task failed: b?tir", Tags: "x", Priority: "3" })
    expect(m.body).toBe(
      "task build failed: agent_error\nsession ccl-pool-1, task bâtir\n2026-01-01T00:00:00.000Z",
    )
    expect(ntfyMessage({ ...n, event: "needs_input" }).headers.Priority).toBe("4")
  })

  it("ntfy is recognised by the host ntfy.sh, or said with format", () => {
    expect(formatOf("https://ntfy.sh/my-topic", undefined)).toBe("ntfy")
    expect(formatOf("https://NTFY.SH/my-topic", undefined)).toBe("ntfy")
    expect(formatOf("https://ntfy.example.org/topic", undefined)).toBe("json")
    expect(formatOf("https://ntfy.example.org/topic", "ntfy")).toBe("ntfy")
    expect(formatOf("https://ntfy.sh/topic", "json")).toBe("json")
  })

  it("events: an empty list is every event", () => {
    const w = { url: "u", format: "json", secretEnv: undefined } as const
    expect(wants({ ...w, events: [] }, "session_dead")).toBe(true)
    expect(wants({ ...w, events: ["failover"] }, "session_dead")).toBe(false)
    expect(wants({ ...w, events: ["failover"] }, "failover")).toBe(true)
  })

  it("a URL is shown by its origin only; a missing secret names its variable", () => {
    expect(shownUrl("https://hooks.slack.com/services/T0/B0/XXXX")).toBe("https://hooks.slack.com/…")
    expect(shownUrl("https://ntfy.sh")).toBe("https://ntfy.sh")
    const w = { url: "https://h.example/x", events: [], format: "json", secretEnv: "S" } as const
    expect(missingSecret([{ ...w, secret: "x" }])).toBeUndefined()
    expect(missingSecret([{ ...w, secretEnv: undefined, secret: undefined }])).toBeUndefined()
    expect(missingSecret([{ ...w, secret: undefined }])).toMatch(
      /^notify\[0\] \(https:\/\/h\.example\/…\): .* S,/,
    )
  })
})

describe("notify: in ccl.yaml", () => {
  it("refuses a secret in clear, unknown keys, items with no http(s) URL, a non-list", () => {
    expect(
      webhooksProblem("notify", [{ url: "https://a.example", events: [], secret_env: "S" }]),
    ).toBeUndefined()
    expect(webhooksProblem("notify", null)).toBeUndefined()
    expect(webhooksProblem("notify", [{ url: "https://a.example", secret: "x" }])).toMatch(
      /^"notify\[0\]\.secret": secrets are not read from ccl\.yaml/,
    )
    expect(webhooksProblem("notify", [{ url: "https://a.example", token: "x" }])).toMatch(
      /^unknown key "notify\[0\]\.token"/,
    )
    expect(webhooksProblem("notify", [{}])).toMatch(/^"notify\[0\]\.url": expected an http/)
    expect(webhooksProblem("notify", [{ url: "file:///etc/passwd" }])).toMatch(/expected an http/)
    expect(webhooksProblem("notify", ["https://a.example"])).toMatch(/must be a mapping/)
    expect(webhooksProblem("notify", { url: "https://a.example" })).toMatch(/must be a list/)
  })
})
