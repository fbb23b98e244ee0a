// `ccl notify test` against a real HTTP receiver in this process: signed JSON, ntfy text, the retry policy
// (503 retried until a 200, a 400 never), one line per webhook and the exit code.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { runCclAsync } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"
import { signedWith, webhookReceiver } from "../support/webhookReceiver.js"

const SECRET = "s3cret-for-tests"

const project = (lines: ReadonlyArray<string>) => {
  const dir = tempDir()
  writeFileSync(path.join(dir, "ccl.yaml"), ["notify:", ...lines.map((l) => `  - ${l}`)].join("\n"))
  return (args: ReadonlyArray<string>) =>
    runCclAsync(["notify", "test", ...args], { cwd: dir, env: { HOOK_SECRET: SECRET } })
}

describe("ccl notify test", () => {
  it("signs the JSON body with the secret from secret_env; an ntfy topic gets text with a Title", async () => {
    const receiver = await webhookReceiver()
    const run = project([
      `{ url: "${receiver.url("/hook")}", secret_env: HOOK_SECRET, events: [failover] }`,
      `{ url: "${receiver.url("/ccl-topic")}", format: ntfy }`,
    ])
    const r = await run(["--event", "task_failed"])
    expect(r.code, r.stderr).toBe(0)
    // Every webhook gets it, whatever it subscribes to: it is a test of the webhook.
    // Shown by origin only: a webhook's path may hold a token.
    const line = `${new URL(receiver.url("/")).origin}/…: 200 (1 try)`
    expect(r.stdout).toBe(`${line}\n${line}\n`)

    const [hook] = receiver.at("/hook")
    expect(receiver.at("/hook")).toHaveLength(1)
    expect(hook!.method).toBe("POST")
    expect(hook!.headers["content-type"]).toMatch(/^application\/json/)
    expect(hook!.headers["x-ccl-event"]).toBe("task_failed")
    expect(hook!.headers["x-ccl-delivery"]).toMatch(/^[0-9a-f-]{36}$/)
    expect(signedWith(hook!, SECRET)).toBe(true)
    expect(signedWith(hook!, "another secret")).toBe(false)
    const body = JSON.parse(hook!.body)
    expect(body).toMatchObject({ event: "task_failed", detail: expect.stringContaining("test notification") })
    expect(Number.isNaN(Date.parse(body.at))).toBe(false)

    const [topic] = receiver.at("/ccl-topic")
    expect(topic!.headers["content-type"]).toMatch(/^text\/plain/)
    expect(topic!.headers.title).toBe("ccl: task failed")
    expect(topic!.headers.tags).toBe("x")
    expect(topic!.headers.priority).toBe("3")
    expect(topic!.headers["x-ccl-signature"]).toBeUndefined()
    expect(() => JSON.parse(topic!.body)).toThrow()
    expect(topic!.body).toContain("test notification")
  })

  it("retries a 503 (Retry-After honoured) until the 200: delivered once in the end, one delivery id", async () => {
    const receiver = await webhookReceiver((_, n) =>
      n === 1 ? { status: 503, headers: { "retry-after": "1" } } : n === 2 ? 503 : 200,
    )
    const r = await project([`{ url: "${receiver.url("/flaky")}", secret_env: HOOK_SECRET }`])([])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/: 200 \(3 tries\)\n$/)
    const tries = receiver.at("/flaky")
    expect(tries).toHaveLength(3)
    expect(new Set(tries.map((t) => t.headers["x-ccl-delivery"])).size).toBe(1)
    expect(new Set(tries.map((t) => t.body)).size).toBe(1)
    for (const t of tries) expect(signedWith(t, SECRET)).toBe(true)
    expect(JSON.parse(tries[0]!.body).event).toBe("limit_hit")
  })

  it("does not retry a 400: one request, the webhook reported, exit 1; the other webhook still delivered", async () => {
    const receiver = await webhookReceiver((p) => (p === "/bad" ? 400 : 200))
    const r = await project([`{ url: "${receiver.url("/bad")}" }`, `{ url: "${receiver.url("/good")}" }`])([])
    expect(r.code).toBe(1)
    expect(receiver.at("/bad")).toHaveLength(1)
    expect(receiver.at("/good")).toHaveLength(1)
    expect(r.stdout).toMatch(/not delivered: HTTP 400 \(1 try\)\n.*: 200 \(1 try\)\n$/)
    expect(r.stderr).toBe("ccl: 1 of 2 webhooks not delivered\n")
  })

  it("refuses a secret written in ccl.yaml, and a secret_env that is not set (exit 2, nothing sent)", async () => {
    const receiver = await webhookReceiver()
    const literal = await project([`{ url: "${receiver.url("/x")}", secret: abc }`])([])
    expect(literal.code).toBe(2)
    expect(literal.stderr).toMatch(
      /^ccl: config file .*"notify\[0\]\.secret": secrets are not read from ccl\.yaml/,
    )
    const unset = await project([`{ url: "${receiver.url("/x")}", secret_env: NOT_SET_ANYWHERE }`])([])
    expect(unset.code).toBe(2)
    expect(unset.stderr).toMatch(/^ccl: notify\[0\] .*NOT_SET_ANYWHERE, which is not set/)
    expect(receiver.received).toEqual([])
  })
})
