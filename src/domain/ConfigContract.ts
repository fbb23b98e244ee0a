import { parseDurationText } from "./DurationText.js"
import { NOTIFY_EVENTS } from "./Notification.js"
import { defaultRetryPolicy } from "./RetryPolicy.js"

// What ccl.yaml (and its CCL_* overrides) may say: every key, its kind, its default, and the rules' messages.
// The program's loader (SettingsConfig.ts, Effect Config) is written against this table, and the light
// `ccl decide` checks a configuration with it (ConfigCheck.ts): one contract, two readers.

/** What a key holds. A list of words is a literal: one of them. */
export type ConfigKind =
  | "string"
  | "nonEmpty"
  | "positiveInt"
  | "duration"
  | "boolean"
  | "port"
  | "strings"
  | "dirs"
  | "webhooks"
  | ReadonlyArray<string>

export interface ConfigLeaf<A = unknown, K extends ConfigKind = ConfigKind> {
  readonly kind: K
  /** Undefined: the key is optional (no value), or required inside its list item. */
  readonly fallback: A
  /** For `dirs`: the item's path key (`cwd` for dedicated sessions, `home` for accounts). */
  readonly pathKey?: string
}
const leaf = <A, const K extends ConfigKind>(kind: K, fallback: A, pathKey?: string): ConfigLeaf<A, K> =>
  pathKey === undefined ? { kind, fallback } : { kind, fallback, pathKey }
const ms = (n: number) => `${n}ms`

export const CONFIG = {
  /** A path (the file queue), or a postgres:// URL without its password (several machines, one queue). */
  queue: leaf("string", "./.ccl/queue"),
  state: leaf("string", "./.ccl/state"),
  /** This daemon's name among the queue's nodes (Postgres queue); unset: the host name. */
  node: leaf("nonEmpty", undefined),
  /** How long a Postgres claim lasts without its node's heartbeat: a dead node's tasks come back after it. */
  queue_lease: leaf("duration", "2m"),
  /** A drop folder every daemon watches: its <id>.md files go into the queue (whichever daemon sees one first). */
  queue_inbox: leaf("nonEmpty", undefined),
  tmux: {
    socket: leaf("nonEmpty", undefined),
    mode: leaf(["control", "exec"], "control" as const),
  },
  agent: {
    command: leaf("nonEmpty", "claude"),
    args: leaf("strings", ["--dangerously-skip-permissions"]),
  },
  pool: {
    size: leaf("positiveInt", 3),
    prefix: leaf("nonEmpty", "ccl-pool"),
    cwd: leaf("string", "~/work"),
    fresh_context: leaf("boolean", true),
    max_attempts: leaf("positiveInt", 3),
    retry_backoff: leaf("duration", "30s"),
    retry_backoff_max: leaf("duration", "30m"),
  },
  dedicated: leaf("dirs", [], "cwd"),
  accounts: leaf("dirs", [], "home"),
  /** Webhooks (README "Notifications"): items checked by webhooksProblem, read by SettingsConfig.ts. */
  notify: leaf("webhooks", []),
  shared: {
    root: leaf("string", "~/.claude-shared"),
    required: leaf("strings", ["session-env", "file-history", "projects"]),
  },
  delegation: {
    url: leaf("nonEmpty", "https://secutools.example/api"),
    providers: leaf("strings", ["gpu", "gemini", "claude-api"]),
    complexity: {
      low: leaf("nonEmpty", "gpu"),
      medium: leaf("nonEmpty", "gemini"),
      high: leaf("nonEmpty", "claude-api"),
    },
    poll: leaf("duration", "10s"),
    deadline: leaf("duration", "2h"),
    concurrency: leaf("positiveInt", 16),
    fallback_on_exhausted: leaf("boolean", false),
    fallback_provider: leaf("nonEmpty", undefined),
    retry: {
      attempts: leaf("positiveInt", defaultRetryPolicy.attempts),
      base: leaf("duration", ms(defaultRetryPolicy.baseMs)),
      cap: leaf("duration", ms(defaultRetryPolicy.capMs)),
      retry_after_cap: leaf("duration", ms(defaultRetryPolicy.retryAfterCapMs)),
      attempt_timeout: leaf("duration", ms(defaultRetryPolicy.attemptTimeoutMs)),
      deadline: leaf("duration", ms(defaultRetryPolicy.deadlineMs)),
    },
  },
  watchdog: {
    stale_after: leaf("duration", "2h"),
    every: leaf("duration", "30s"),
    on_stale: leaf(["report", "fail"], "report" as const),
  },
  api: {
    host: leaf("nonEmpty", "127.0.0.1"),
    port: leaf("port", 7420),
    metrics_token: leaf("boolean", false),
  },
  accounts_policy: {
    swap_at_percent: leaf("positiveInt", 95),
    stop_new_tasks_at_percent: leaf("positiveInt", 90),
    swap: leaf(["at_idle", "immediate"], "at_idle" as const),
    resume_spread: leaf("duration", "30s"),
  },
  log: {
    max_bytes: leaf("positiveInt", 10 * 1024 * 1024),
    keep: leaf("positiveInt", 5),
  },
} as const

export type ConfigSection = { readonly [key: string]: ConfigLeaf | ConfigSection }
export const isLeaf = (node: ConfigLeaf | ConfigSection): node is ConfigLeaf =>
  "kind" in node && "fallback" in node

/** A config file larger than this is refused: it cannot be a ccl.yaml. */
export const MAX_CONFIG_BYTES = 256 * 1024

/** The rules' messages, the same whichever reader finds the problem. */
export const RULE_TEXT = {
  positiveInt: "expected an integer of at least 1",
  nonEmpty: "expected a non-empty string",
} as const

/** Milliseconds of a duration setting, or the message saying what is wrong with it. */
export const durationSetting = (text: string): { readonly ms: number } | { readonly problem: string } => {
  const ms = parseDurationText(text)
  return ms === undefined || ms <= 0
    ? { problem: `expected a duration such as 30s, 10m or 2h, got "${text}"` }
    : { ms }
}

/** The environment variable that overrides a key: `pool.fresh_context` -> CCL_POOL_FRESH_CONTEXT. */
export const envName = (path: ReadonlyArray<string>): string =>
  ["CCL", ...path].map((p) => p.toUpperCase()).join("_")

/** The keys of one `notify:` item; `secret` is refused with its own message (secrets only from the environment). */
export const WEBHOOK_KEYS = ["url", "events", "format", "secret_env"] as const

/**
 * What is wrong with a `notify:` list, or undefined. Effect's reader would drop an item with no keys and ignore
 * unknown ones (a `secret:` in clear): both are refused here, before it reads. Events and format: the reader.
 */
export const webhooksProblem = (key: string, value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined
  const example = `such as - { url: https://hooks.example/ccl, events: [${NOTIFY_EVENTS[4]}] }`
  if (!Array.isArray(value)) return `"${key}" must be a list of webhooks, ${example}`
  for (const [i, item] of value.entries()) {
    const at = `${key}[${i}]`
    if (item === null || typeof item !== "object" || Array.isArray(item))
      return `"${at}" must be a mapping, ${example}`
    for (const k of Object.keys(item)) {
      if (k === "secret")
        return `"${at}.secret": secrets are not read from ccl.yaml: export it in an environment variable and name that variable with secret_env`
      if (!(WEBHOOK_KEYS as ReadonlyArray<string>).includes(k))
        return `unknown key "${at}.${k}" (known in a webhook: ${WEBHOOK_KEYS.join(", ")})`
    }
    const url = (item as Record<string, unknown>).url
    let parsed: URL | undefined
    try {
      parsed = typeof url === "string" ? new URL(url) : undefined
    } catch {}
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:"))
      return `"${at}.url": expected an http:// or https:// URL, got ${JSON.stringify(url ?? null)}`
  }
  return undefined
}

/**
 * The first key of a ccl.yaml document the contract does not know (or a `notify:` item it refuses), as an error
 * message; undefined if none.
 */
export const unknownKey = (doc: Record<string, unknown>): string | undefined => {
  const top = CONFIG as ConfigSection
  for (const [key, value] of Object.entries(doc)) {
    const node = top[key]
    if (node === undefined) return `unknown key "${key}" (known: ${Object.keys(top).join(", ")})`
    if (isLeaf(node) && node.kind === "webhooks") {
      const problem = webhooksProblem(key, value)
      if (problem !== undefined) return problem
    }
    if (!isLeaf(node) && value !== null && typeof value === "object" && !Array.isArray(value)) {
      const inner = Object.keys(node)
      for (const k of Object.keys(value)) {
        if (!inner.includes(k)) return `unknown key "${key}.${k}" (known under ${key}: ${inner.join(", ")})`
      }
    }
  }
  return undefined
}
