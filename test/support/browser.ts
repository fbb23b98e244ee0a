// A real browser for the dashboard's tests: Debian's headless Chromium (CCL_CHROMIUM overrides the path) driven by
// playwright-core, in a fresh profile of its own, with nothing fetched from the network.

import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { type AddressInfo, connect, createServer, type Socket } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { afterAll, beforeAll, expect } from "vitest"

export const CHROMIUM = process.env.CCL_CHROMIUM ?? "/usr/bin/chromium"

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
]

/** Where screenshots go (gitignored); docs/dashboard.png is copied from one of them. */
export const ARTIFACTS = path.resolve(__dirname, "../../test-artifacts")

/** Generous: a loaded 2-core machine runs the daemon, its agents and the browser at once. */
export const WAIT_MS = 60_000

export interface TestBrowser {
  readonly context: BrowserContext
  /** A new tab (its own sessionStorage) at `width` x `height`. */
  readonly page: (width?: number, height?: number) => Promise<Page>
  readonly close: () => Promise<void>
}

export const openBrowser = async (): Promise<TestBrowser> => {
  // Not tempDir(): that one is emptied after each test, and the browser outlives them.
  const profile = mkdtempSync(path.join(tmpdir(), "ccl-chromium-"))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  })
  return {
    context,
    page: async (width = 1280, height = 800) => {
      const page = await context.newPage()
      await page.setViewportSize({ width, height })
      return page
    },
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

/** The browser of a describe block (call it there): opened before its first test, closed after its last. */
export const suiteBrowser = (): TestBrowser => {
  let browser: TestBrowser | undefined
  beforeAll(async () => {
    browser = await openBrowser()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
  })
  const open = () => {
    if (browser === undefined) throw new Error("the suite's browser is not open (beforeAll failed?)")
    return browser
  }
  return {
    get context() {
      return open().context
    },
    page: (width, height) => open().page(width, height),
    close: () => open().close(),
  }
}

/**
 * What went wrong on a page that a test should see: uncaught errors, and what the Content-Security-Policy
 * refused (an inline style or script of ours would show here), and any request that left 127.0.0.1.
 */
export const pageProblems = (page: Page): Array<string> => {
  const problems: Array<string> = []
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`))
  page.on("console", (m) => {
    if (/Content.Security.Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`)
  })
  page.on("request", (r) => {
    if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(r.url())) problems.push(`external request: ${r.url()}`)
  })
  return problems
}

/** Opens the dashboard and answers its token prompt; returns once the sessions show. */
export const signIn = async (page: Page, port: number, token: string) => {
  await page.goto(`http://127.0.0.1:${port}/`)
  await page.getByTestId("token-input").fill(token)
  await page.getByTestId("token-submit").click()
  await page.getByTestId("session-row").first().waitFor({ timeout: WAIT_MS })
}

/** Polls `read` until it gives `expected` (Playwright's own `expect` lives in @playwright/test, not here). */
export const until = <A>(read: () => Promise<A>, expected: A, timeout = WAIT_MS) =>
  expect.poll(read, { timeout, interval: 100 }).toEqual(expected)

/** The first row of a table (by its test id) about `task`, once there. */
export const taskRow = (page: Page, table: string, task: string) =>
  page.getByTestId(table).locator(`[data-task="${task}"]`)

export const screenshot = async (page: Page, name: string, fullPage = false) => {
  mkdirSync(ARTIFACTS, { recursive: true })
  const file = path.join(ARTIFACTS, name)
  await page.screenshot({ path: file, fullPage })
  return file
}

/**
 * What `ssh -L <port>:127.0.0.1:<target> host` gives a browser: another local port whose connections are piped to
 * the daemon's. Closed with the returned function.
 */
export const portForward = (target: number) =>
  new Promise<{ readonly port: number; readonly close: () => void }>((resolve) => {
    const sockets = new Set<Socket>()
    const server = createServer((client) => {
      const upstream = connect(target, "127.0.0.1")
      for (const s of [client, upstream]) {
        sockets.add(s)
        s.on("error", () => {
          client.destroy()
          upstream.destroy()
        })
        s.on("close", () => sockets.delete(s))
      }
      client.pipe(upstream).pipe(client)
    })
    server.listen(0, "127.0.0.1", () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => {
          server.close()
          for (const s of sockets) s.destroy()
        },
      }),
    )
  })
