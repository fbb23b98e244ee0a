// The dashboard on a shared Postgres queue (issues 15 and 16) in a real browser: a real daemon (node w1) and a
// second node (w2, a queue opened as a daemon in this process) on one database; the page lists both with the
// account, sessions and tasks each one holds, follows w1's claim of a new task, and cancels it while it runs.

import { Effect, Exit, Scope } from "effect"
import { afterAll, expect, it } from "vitest"
import {
  pageProblems,
  screenshot,
  signIn,
  suiteBrowser,
  taskRow,
  until,
  WAIT_MS,
} from "../support/browser.js"
import { daemonProject } from "../support/daemonProject.js"
import { openPgQueue } from "../support/pgQueue.js"
import { describePg, pgDatabase } from "../support/pgTest.js"

const TOKEN = "tok-dashboard-nodes"

describePg("the web dashboard on a Postgres queue (two nodes, real daemon, headless Chromium)", () => {
  const browser = suiteBrowser()
  const scope = Effect.runSync(Scope.make())
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

  it("lists every node with its heartbeat, account, sessions and held tasks, live", async () => {
    const url = pgDatabase("dashboard_nodes")
    // w2: another machine's daemon, as its queue layer sees it. It holds one task and reports one busy session.
    const w2 = await Effect.runPromise(
      Scope.extend(openPgQueue(url, "w2", { daemon: true, leaseMs: 4_000 }), scope),
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        yield* w2.q.recover
        yield* w2.q.enqueue("far", "Work done on w2\n")
        expect(yield* w2.q.claim("far")).toBe(true)
        yield* w2.nodes.report({
          sessions: [{ name: "ccl-pool-1", task: "far" }],
          accounts: ["other"],
          activeAccount: "other",
        })
      }),
    )
    // Agents slow enough that w1 is seen holding its task on a loaded machine (its report every 2 s, the page
    // rereads the status on events and every 5 s), and that it is cancelled while it runs.
    const p = await daemonProject({
      poolSize: 1,
      workMs: 120_000,
      token: TOKEN,
      queue: url,
      yaml: ["node: w1"],
    })
    p.start()
    await p.answering()
    const page = await browser.page()
    page.setDefaultTimeout(WAIT_MS)
    const problems = pageProblems(page)
    await signIn(page, p.port, TOKEN)
    const row = (node: string) => page.locator(`[data-testid="node-row"][data-node="${node}"]`)
    await until(
      () => page.getByTestId("node-row").evaluateAll((rows) => rows.map((r) => r.dataset.node).sort()),
      ["w1", "w2"],
    )
    // w2's report arrives with its next heartbeat (a quarter of its lease).
    await until(() => row("w2").locator('[data-label="Sessions"]').textContent(), "1 busy of 1")
    expect(await row("w2").locator('[data-label="Account"]').textContent()).toBe("other")
    expect(await row("w2").getByTestId("node-tasks").textContent()).toBe("far")
    expect(await row("w1").getByTestId("node-tasks").textContent()).toBe("-")
    await until(() => row("w1").locator('[data-label="Account"]').textContent(), "main")
    // The queue's active tasks include the other node's, said to be there, and cancelled there, not from here.
    const far = taskRow(page, "queue-active", "far")
    expect(await far.locator('[data-label="Session"]').textContent()).toBe("on w2")
    expect(await far.locator(".title").textContent()).toBe("Work done on w2")
    expect(await page.getByTestId("cancel-far").count()).toBe(0)

    // A task added anywhere is claimed by w1 (w2's queue here runs no dispatcher): the page shows w1 holding it.
    const added = await p.ccl(["queue", "add", "--id", "near", "--text", "Work done on w1"])
    expect(added.code, added.stderr).toBe(0)
    await until(() => row("w1").getByTestId("node-tasks").textContent(), "near")
    // w1's report is written as soon as its session takes the task, not at its next heartbeat (30 s apart here).
    await until(() => row("w1").locator('[data-label="Sessions"]').textContent(), "1 busy of 1")
    await screenshot(page, "dashboard-nodes.png")
    // Cancelled from the page while it runs (a second click confirms): interrupted in its session, filed cancelled,
    // and w1 holds nothing any more.
    await page.getByTestId("cancel-near").click()
    await page.getByTestId("cancel-near").click()
    await until(() => row("w1").getByTestId("node-tasks").textContent(), "-")
    await until(() => row("w1").locator('[data-label="Sessions"]').textContent(), "0 busy of 1")
    await until(() => taskRow(page, "queue-recent", "near").getAttribute("data-state"), "failed")
    const shown = await p.ccl(["queue", "show", "near", "--json"])
    expect(JSON.parse(shown.stdout)).toMatchObject({
      state: "failed",
      result: { status: "cancelled", cause: "cancelled", session: "ccl-pool-1" },
    })
    expect(await row("w2").getByTestId("node-tasks").textContent()).toBe("far")
    expect(problems).toEqual([])
    expect(await p.stop()).toBe(0)
  }, 180_000)
})
