// The dashboard's delegation view and cooldown lever in a real browser (issue 15): a daemon with delegation on (a
// mock secutools over HTTP), a job seen in flight then filed with its provider and cost; an account cooling down
// since before the start, its cooldown cleared from the page opened through a port forward (an SSH tunnel's).

import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { emptyDaemonState } from "../../src/domain/DaemonState.js"
import type { DaemonStatus } from "../../src/programs/daemon/DaemonApiSchemas.js"
import { startMockSecutools } from "../../src/programs/MockSecutools.js"
import { money } from "../../src/web/format.js"
import {
  pageProblems,
  portForward,
  signIn,
  suiteBrowser,
  taskRow,
  until,
  WAIT_MS,
} from "../support/browser.js"
import { daemonProject } from "../support/daemonProject.js"

const TOKEN = "tok-dashboard-delegation"
const KEY = "sk-secutools-dashboard"

describe("the web dashboard: delegation and cooldowns (real daemon, mock secutools, headless Chromium)", () => {
  const browser = suiteBrowser()
  const scope = Effect.runSync(Scope.make())
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

  it("a delegated job shows in flight, then done with provider and cost; a cooldown cleared from the page", async () => {
    // Long enough a job for the page to see it in flight on a loaded machine.
    const secutools = await Effect.runPromise(
      Scope.extend(startMockSecutools({ key: KEY, jobMs: 8_000 }), scope),
    )
    const p = await daemonProject({
      poolSize: 1,
      workMs: 300,
      token: TOKEN,
      accounts: ["main", "backup"],
      secutools: secutools.url,
      secutoolsKey: KEY,
    })
    // backup is cooling down from an earlier limit (state.json as the daemon left it).
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
    mkdirSync(path.join(p.dir, "state"), { recursive: true })
    writeFileSync(
      path.join(p.dir, "state", "state.json"),
      JSON.stringify({ ...emptyDaemonState, active_account: "main", cooldowns: { backup: inAnHour } }),
    )
    p.start()
    await p.answering()
    const page = await browser.page()
    page.setDefaultTimeout(WAIT_MS)
    const problems = pageProblems(page)
    await signIn(page, p.port, TOKEN)
    await until(() => page.getByTestId("feed-state").textContent(), "live")
    expect(await page.getByTestId("delegation-submitted").textContent()).toBe("0")

    // A task for gemini: the job in flight, with its provider; then the counters and the filed result.
    const added = await p.ccl([
      "queue",
      "add",
      "--text",
      "Summarise the incident logs",
      "--id",
      "remote",
      "--preferred-ai",
      "gemini",
    ])
    expect(added.code).toBe(0)
    const job = page.getByTestId("delegation-jobs").locator("tr", { hasText: "remote" })
    await job.waitFor()
    expect(await job.locator('[data-label="Provider"]').textContent()).toBe("gemini")
    expect(await page.getByTestId("delegation-active").textContent()).toBe("1")
    await until(() => page.getByTestId("delegation-completed").textContent(), "1", 90_000)
    await until(() => page.getByTestId("delegation-submitted").textContent(), "1")
    await until(() => page.getByTestId("delegation-active").textContent(), "0")
    await until(() => page.getByTestId("delegation-jobs").count(), 0)
    const footer = p.footer("done", "remote")
    expect(footer).toMatchObject({ status: "completed", route: "delegated", provider: "gemini" })
    expect(footer.cost_usd).toBeGreaterThan(0)
    const row = taskRow(page, "queue-recent", "remote")
    await until(() => row.getAttribute("data-state"), "done")
    expect(await row.locator('[data-label="Route"]').textContent()).toBe("delegatedgemini")
    expect(await row.locator('[data-label="Cost"]').textContent()).toBe(money(footer.cost_usd))
    expect(p.prompts().some((t) => t.includes("Summarise the incident logs"))).toBe(false)

    // backup's cooldown, shown and then cleared from the page opened through a tunnel from another local port
    // (as `ssh -L 8080:127.0.0.1:<port>` gives): the daemon's state has none left.
    const tunnel = await portForward(p.port)
    const remote = await browser.page()
    remote.setDefaultTimeout(WAIT_MS)
    const remoteProblems = pageProblems(remote)
    await signIn(remote, tunnel.port, TOKEN)
    expect(remote.url()).toBe(`http://127.0.0.1:${tunnel.port}/`)
    const backup = remote.locator('[data-testid="account"][data-account="backup"]')
    expect(await backup.locator(".badge.warn").textContent()).toBe("cooling down")
    await remote.getByRole("button", { name: "Clear the cooldown of backup" }).click()
    await backup.locator(".badge.warn").waitFor({ state: "detached" })
    await page
      .locator('[data-testid="account"][data-account="backup"] .badge.warn')
      .waitFor({ state: "detached" })
    expect(remoteProblems).toEqual([])
    tunnel.close()
    const after = (await (await p.api("/api/status")).json()) as DaemonStatus
    expect(after.failover?.cooldowns).toEqual({})
    expect(problems).toEqual([])
    expect(await p.stop()).toBe(0)
    expect(JSON.parse(readFileSync(path.join(p.dir, "state", "state.json"), "utf8")).cooldowns).toEqual({})
  }, 180_000)
})
