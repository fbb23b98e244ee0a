// The queue commands on a Postgres queue, through the built CLI: the same words and exit codes as on the file
// queue, `postgres:<id>` where a path was, and a password refused in the URL.
import { writeFileSync } from "node:fs"
import * as path from "node:path"
import { expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { runCcl } from "../support/cli.js"
import { openPgQueue } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { tempDir } from "../support/tempDir.js"

describePg("ccl queue on a Postgres queue", () => {
  it("add, list, show, cancel, retry, rm and status: as on the file queue", () => {
    const cwd = tempDir()
    // API port 1: no daemon answers, so status reads the queue itself.
    const env = { CCL_QUEUE: pgDatabase("cli_queue"), CCL_NODE: "cli-node", CCL_API_PORT: "1" }
    const ccl = (...args: Array<string>) => runCcl(args, { cwd, env })
    expect(ccl("queue", "add", "--id", "t1", "--text", "First").code).toBe(0)
    const added = ccl("queue", "add", "--id", "t2", "--priority", "5", "--text", "Second", "--json")
    expect(JSON.parse(added.stdout)).toEqual({ id: "t2", state: "pending", path: "postgres:t2" })
    const again = ccl("queue", "add", "--id", "t1", "--text", "Again")
    expect(again.code).toBe(2)
    expect(again.stderr).toContain("task t1 already exists in pending/")
    const listed = JSON.parse(ccl("queue", "list", "--json").stdout) as Array<{ id: string; path: string }>
    expect(listed.map((t) => `${t.id} ${t.path}`)).toEqual(["t2 postgres:t2", "t1 postgres:t1"])
    expect(ccl("queue", "cancel", "t1").code).toBe(0)
    const shown = ccl("queue", "show", "t1")
    expect(shown.stdout.split("\n")[0]).toBe("# failed: postgres:t1")
    const text = shown.stdout.split("\n").slice(1).join("\n").replace(/\n$/, "")
    expect(parseFooter(text)).toMatchObject({ original: "First\n", footer: { status: "cancelled" } })
    expect(ccl("queue", "retry", "t1").code).toBe(0)
    expect(ccl("queue", "show", "t1").stdout.split("\n")[0]).toBe("# pending: postgres:t1")
    const rm = ccl("queue", "rm", "t2")
    expect(rm.code).toBe(2)
    expect(rm.stderr).toContain("only tasks in done/ or failed/ can be removed")
    const status = JSON.parse(ccl("status", "--json").stdout)
    expect(status.queue).toMatchObject({ pending: 2, active: 0 })
    expect(status.nodes).toEqual([]) // no daemon has ever run on this queue
  })

  it("queue list names the node holding each active task", async () => {
    const cwd = tempDir()
    const url = pgDatabase("cli_list_node")
    const env = { CCL_QUEUE: url, CCL_NODE: "cli-node", CCL_API_PORT: "1" }
    expect(runCcl(["queue", "add", "--id", "held", "--text", "Held"], { cwd, env }).code).toBe(0)
    expect(runCcl(["queue", "add", "--id", "waits", "--text", "Waits"], { cwd, env }).code).toBe(0)
    // Node w2's daemon claims one (its lease outlives the test).
    const claimed = await Effect.runPromise(
      Effect.scoped(Effect.flatMap(openPgQueue(url, "w2", { daemon: true }), ({ q }) => q.claim("held"))),
    )
    expect(claimed).toBe(true)
    const listed = JSON.parse(runCcl(["queue", "list", "--json"], { cwd, env }).stdout) as Array<{
      id: string
      state: string
      node?: string
    }>
    expect(listed.map((t) => [t.id, t.state, t.node])).toEqual([
      ["waits", "pending", undefined],
      ["held", "active", "w2"],
    ])
    const table = runCcl(["queue", "list", "--state", "active"], { cwd, env }).stdout
    expect(table).toMatch(/^active\s+held\s.*\son w2$/m)
  })

  it("a password in the URL: one line, exit 2, the password not repeated", () => {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), "queue: postgres://ccl:hunter2-sentinel@127.0.0.1/ccl\n")
    const r = runCcl(["queue", "list"], { cwd })
    expect(r.code).toBe(2)
    expect(r.stderr.trim().split("\n")).toHaveLength(1)
    expect(r.stderr).toContain("CCL_QUEUE_PASSWORD")
    expect(r.stderr).not.toContain("hunter2-sentinel")
  })
})
