// The web dashboard (issue 15) in a real browser against a real daemon: headless Chromium (test/support/browser.ts)
// on the page the daemon serves at /, the daemon with simulated agents on a private tmux server, the built CLI.
// The token prompt, the sessions and their screens, tasks added, cancelled and retried from the page, pause and
// resume, a failover seen live; hostile text (markup, ANSI bytes) shown as text. Screenshots to test-artifacts/.

import { copyFileSync, mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import type { Page } from "playwright-core"
import { describe, expect, it } from "vitest"
import type { DaemonStatus } from "../../src/programs/daemon/DaemonApiSchemas.js"
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
import { addTaskFile, type Project } from "../support/projectTasks.js"
import { eventually } from "../support/tmux.js"

const TOKEN = "tok-dashboard-e2e"
const NOTES = "ccl-1-notes"

/** A task's first line and an operator's prompt that would run script if any of it reached the DOM as HTML. */
const SCRIPT = "<script>window.__pwned=1</script>"
const IMG = `"><img src=x onerror="window.__pwned=2">`
const HOSTILE_TASK = `Check ${SCRIPT} then ${IMG} in \x1b[31mred\x1b[0m\nand the rest.\n`
const HOSTILE_PROMPT = `<script>window.__pwned=3</script> "><img src=y onerror="window.__pwned=4">`

const status = async (p: Project) => (await (await p.api("/api/status")).json()) as DaemonStatus

/** Each account's quota as its simulated agents report it (the QUOTA file their statusline reads). */
const QUOTAS: Record<string, object> = {
  main: { five_hour: 42, seven_day: 18 },
  backup: { five_hour: 12, seven_day: 5 },
}

const project = async (poolSize: number) => {
  const p = await daemonProject({
    poolSize,
    workMs: 600,
    token: TOKEN,
    accounts: ["main", "backup"],
    dedicated: [NOTES],
    prepareHome: (home) =>
      writeFileSync(path.join(home, "QUOTA"), JSON.stringify(QUOTAS[path.basename(home).slice(5)])),
  })
  p.start()
  await p.answering()
  return p
}

/** Nothing the page was given ran or became an element: one script (the app's), no image. */
const expectNothingInjected = async (page: Page) => {
  expect(await page.evaluate("window.__pwned")).toBeUndefined()
  expect(await page.locator("img").count()).toBe(0)
  expect(await page.locator("script").count()).toBe(1)
}

const rowState = (page: Page, task: string) => () =>
  taskRow(page, "queue-recent", task).getAttribute("data-state", { timeout: WAIT_MS })

describe("the web dashboard (real daemon, real tmux, headless Chromium)", () => {
  const browser = suiteBrowser()

  it("asks for the token (a wrong one shows nothing), shows the sessions, runs a task added on the page; hostile text stays text", async () => {
    const p = await project(1)
    const page = await browser.page()
    page.setDefaultTimeout(WAIT_MS)
    const problems = pageProblems(page)

    // No token yet: the prompt, and no data.
    await page.goto(`http://127.0.0.1:${p.port}/`)
    await page.getByTestId("token-prompt").waitFor()
    expect(await page.getByTestId("sessions").count()).toBe(0)
    await page.getByTestId("token-input").fill("not-the-token")
    await page.getByTestId("token-submit").click()
    await page.getByTestId("token-error").waitFor()
    expect(await page.getByTestId("sessions").count()).toBe(0)
    expect(await page.evaluate("sessionStorage.length")).toBe(0)
    // The right one: the sessions, the token kept in this tab only (no cookie, not in the URL).
    await page.getByTestId("token-input").fill(TOKEN)
    await page.getByTestId("token-submit").click()
    await until(
      () => page.getByTestId("session-row").evaluateAll((rows) => rows.map((r) => r.dataset.session).sort()),
      ["ccl-1-notes", "ccl-pool-1"],
    )
    expect(await page.evaluate("Object.values(sessionStorage)")).toEqual([TOKEN])
    expect(await browser.context.cookies()).toEqual([])
    expect(page.url()).toBe(`http://127.0.0.1:${p.port}/`)
    await until(() => page.getByTestId("feed-state").textContent(), "live")

    // A task added from the page, with fields: it runs, and shows as done.
    await page.getByText("Add a task").click()
    await page.getByTestId("add-text").fill(HOSTILE_TASK)
    await page.getByTestId("add-id").fill("hostile")
    await page.getByLabel("Priority").fill("3")
    await page.getByLabel("Max attempts").fill("2")
    await screenshot(page, "dashboard-add-task.png")
    await page.getByTestId("add-submit").click()
    await page.getByRole("status").filter({ hasText: "hostile added" }).waitFor()
    await until(rowState(page, "hostile"), "done")
    expect(p.footer("done", "hostile")).toMatchObject({ status: "completed", route: "local" })
    expect(p.prompts().some((t) => t.includes(SCRIPT))).toBe(true)
    const title = await taskRow(page, "queue-recent", "hostile").locator(".title").textContent()
    expect(title).toContain(SCRIPT)
    expect(title).toContain(IMG)
    // The task as written, its fields and the ANSI bytes made visible (␛), not interpreted.
    await page.getByRole("button", { name: "Show task hostile" }).click()
    const text = (await page.getByTestId("task-text").textContent()) ?? ""
    expect(text).toContain(SCRIPT)
    expect(text).toContain(IMG)
    expect(text).toContain("\u241b[31mred\u241b[0m")
    expect(text).toContain("priority: 3")
    expect(await page.getByTestId("task-result").textContent()).toContain("completed")
    await page.keyboard.press("Escape")
    await page.getByTestId("task-dialog").waitFor({ state: "detached" })
    // What the daemon refuses is said beside the form: the id is taken.
    await page.getByTestId("add-text").fill("Once more")
    await page.getByTestId("add-id").fill("hostile")
    await page.getByTestId("add-submit").click()
    await page
      .getByRole("alert")
      .filter({ hasText: /hostile exists already/ })
      .waitFor()

    // The operator typed markup into a dedicated session: its screen, opened with the keyboard, shows it as text.
    p.server.tmux("send-keys", "-t", `=${NOTES}:`, "-l", HOSTILE_PROMPT)
    p.server.tmux("send-keys", "-t", `=${NOTES}:`, "Enter")
    await eventually(() => (p.prompts().includes(HOSTILE_PROMPT) ? true : undefined), 30_000, p.log)
    await page.getByRole("button", { name: `Show the screen of ${NOTES}` }).focus()
    await page.keyboard.press("Enter")
    await until(
      async () => ((await page.getByTestId("screen-text").textContent()) ?? "").includes(HOSTILE_PROMPT),
      true,
    )
    await expectNothingInjected(page)
    await screenshot(page, "dashboard-screen.png")
    await page.keyboard.press("Escape")
    await page.getByTestId("screen-dialog").waitFor({ state: "detached" })
    await expectNothingInjected(page)

    // The daemon goes away: the page says it lost the stream and polls; the daemon back, the stream is live again.
    expect(await p.stop()).toBe(0)
    await until(() => page.getByTestId("feed-state").textContent(), "polling (stream lost)")
    p.start()
    await until(() => page.getByTestId("feed-state").textContent(), "live")
    await addTaskFile(p, "after-restart", "Tidy the changelog\n")
    await until(rowState(page, "after-restart"), "done")
    expect(problems).toEqual([])
    await p.stop()
  }, 180_000)

  it("pause, cancel, retry, resume and swap from the page; a failover shows live; screenshots at 1280x800 and 390 px", async () => {
    const p = await project(2)
    const page = await browser.page()
    page.setDefaultTimeout(WAIT_MS)
    const problems = pageProblems(page)
    await signIn(page, p.port, TOKEN)
    await until(() => page.getByTestId("feed-state").textContent(), "live")
    // The page stays the same document throughout: whatever changes arrives live.
    await page.evaluate("window.__sameDocument = true")

    await page.getByTestId("dispatch-pause").click()
    await page.getByTestId("dispatch-paused").waitFor()
    await until(async () => (await status(p)).failover?.paused_by_operator, true)
    await addTaskFile(p, "held", "Refactor the session table\n")
    await addTaskFile(p, "notes", "---\ndepends_on: [held]\n---\nWrite the release notes\n")
    await taskRow(page, "queue-pending", "held").waitFor()
    // Cancel asks for a second click, then the task is filed cancelled.
    await page.getByTestId("cancel-held").click()
    await page.getByTestId("cancel-held").click()
    await until(rowState(page, "held"), "failed")
    expect(p.footer("failed", "held")).toMatchObject({ status: "cancelled" })
    // Retry puts it back in pending; the task that depends on it waits for it.
    await page.getByTestId("retry-held").click()
    await taskRow(page, "queue-pending", "held").waitFor()
    expect(p.ls("pending")).toContain("held.md")
    await until(
      async () => (await taskRow(page, "queue-pending", "notes").textContent())?.includes("held"),
      true,
    )

    await page.getByTestId("dispatch-resume").click()
    await until(rowState(page, "held"), "done")
    await until(rowState(page, "notes"), "done")
    expect(p.footer("done", "held")).toMatchObject({ status: "completed", account: "main" })

    // A swap made elsewhere (the CLI, a limit): the page follows without a reload.
    expect(await page.getByTestId("active-account").textContent()).toBe("main")
    const swap = await fetch(`http://127.0.0.1:${p.port}/api/failover`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: "{}",
    })
    expect(swap.status).toBe(200)
    await until(() => page.getByTestId("active-account").textContent(), "backup")
    await until(
      () => page.locator('[data-testid="account"][data-account="backup"] .badge.ok').textContent(),
      "active",
    )
    await until(
      async () => (await page.getByTestId("swap-history").textContent())?.includes("main → backup"),
      true,
    )
    await until(() => page.getByTestId("session-account").allTextContents(), ["backup", "backup", "backup"])
    await until(
      () => page.locator('[data-account="main"] [data-testid="quota-5h"] .quota-head').textContent(),
      "5 h42% used",
    )
    expect(await page.evaluate("window.__sameDocument")).toBe(true)

    // More for the picture: a task that waits for one nobody has added yet (an unknown id waits).
    await addTaskFile(p, "summary", "Summarise the week's incidents\n")
    await addTaskFile(p, "digest", "---\ndepends_on: [summary, review]\npriority: 2\n---\nMail the digest\n")
    await until(rowState(page, "summary"), "done")
    await taskRow(page, "queue-pending", "digest").waitFor()
    const wide = await screenshot(page, "dashboard-1280x800.png")
    // The README's picture is refreshed on request only: a test run leaves the checkout as it found it.
    if (process.env.CCL_UPDATE_SCREENSHOT === "1") {
      mkdirSync(path.resolve(__dirname, "../../docs"), { recursive: true })
      copyFileSync(wide, path.resolve(__dirname, "../../docs/dashboard.png"))
    }
    // A phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 })
    await until(() => page.evaluate("document.documentElement.scrollWidth <= 390"), true)
    await screenshot(page, "dashboard-390.png")
    await screenshot(page, "dashboard-390-full.png", true)

    // Back to main from the page, by name (the second click confirms): every session follows.
    await page.getByTestId("swap-to-main").click()
    await page.getByTestId("swap-to-main").click()
    await until(() => page.getByTestId("active-account").textContent(), "main")
    await until(() => page.getByTestId("session-account").allTextContents(), ["main", "main", "main"])
    expect((await status(p)).account).toBe("main")
    expect(problems).toEqual([])
    await p.stop()
  }, 240_000)
})
