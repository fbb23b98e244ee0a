import { Layer, Redacted } from "effect"
import { defaultRetryPolicy } from "../../src/domain/RetryPolicy.js"
import type { Settings } from "../../src/domain/Settings.js"
import { AppConfig } from "../../src/services/AppConfig.js"

/** Settings for tests: DESIGN.md defaults, delegation on, everything under `root`. */
export const testSettings = (root: string, over: Partial<Settings> = {}): Settings => ({
  configFile: undefined,
  queue: `${root}/queue`,
  state: `${root}/state`,
  node: "test-node",
  queueLeaseMs: 120_000,
  queueInbox: undefined,
  tmux: { socket: undefined, mode: "control" },
  agent: { command: "claude", args: [] },
  pool: {
    size: 1,
    prefix: "ccl-pool",
    cwd: root,
    freshContext: true,
    maxAttempts: 3,
    retryBackoffMs: 30_000,
    retryBackoffMaxMs: 1_800_000,
  },
  dedicated: [],
  accounts: [],
  notify: [],
  shared: { root: `${root}/shared`, required: ["session-env", "file-history", "projects"] },
  delegation: {
    apiKey: Redacted.make("sk-test"),
    url: "http://127.0.0.1:1",
    providers: ["gpu", "gemini", "claude-api"],
    complexity: { low: "gpu", medium: "gemini", high: "claude-api" },
    pollMs: 1_000,
    deadlineMs: 7_200_000,
    concurrency: 4,
    fallbackOnExhausted: false,
    fallbackProvider: undefined,
    retry: {
      ...defaultRetryPolicy,
      attempts: 2,
      baseMs: 10,
      capMs: 20,
      attemptTimeoutMs: 2_000,
      deadlineMs: 10_000,
    },
  },
  watchdog: { staleAfterMs: 7_200_000, everyMs: 30_000, onStale: "report" },
  api: { host: "127.0.0.1", port: 0, token: undefined, metricsToken: false },
  log: { maxBytes: 10 * 1024 * 1024, keep: 5 },
  accountsPolicy: { swapAtPercent: 95, stopNewTasksAtPercent: 90, swap: "at_idle", resumeSpreadMs: 30_000 },
  ...over,
})

export const testConfig = (root: string, over: Partial<Settings> = {}) =>
  Layer.succeed(AppConfig, testSettings(root, over))
