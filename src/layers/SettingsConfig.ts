import { Config, ConfigError, Either } from "effect"
import { parseDurationText } from "../domain/DurationText.js"
import { defaultRetryPolicy } from "../domain/RetryPolicy.js"

// What ccl.yaml (and CCL_* overrides) may say: its keys, their types and defaults, and the secrets read from the
// environment. AppConfigLive.ts reads them and resolves paths.

// Known keys, to turn a typo into an error instead of a silently ignored setting.
const KNOWN: Record<string, ReadonlyArray<string> | null> = {
  queue: null,
  state: null,
  tmux: ["socket"],
  agent: ["command", "args"],
  pool: ["size", "prefix", "cwd", "fresh_context", "max_attempts"],
  dedicated: null,
  accounts: null,
  shared: ["root", "required"],
  delegation: ["url", "providers", "complexity", "poll", "deadline", "concurrency", "retry"],
  watchdog: ["stale_after", "every", "on_stale"],
  api: ["host", "port"],
}

/** The first key of a ccl.yaml document that KNOWN does not list, as an error message; undefined if none. */
export const unknownKey = (doc: Record<string, unknown>): string | undefined => {
  for (const [key, value] of Object.entries(doc)) {
    if (!(key in KNOWN)) return `unknown key "${key}" (known: ${Object.keys(KNOWN).join(", ")})`
    const inner = KNOWN[key]
    if (inner && value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const k of Object.keys(value)) {
        if (!inner.includes(k)) return `unknown key "${key}.${k}" (known under ${key}: ${inner.join(", ")})`
      }
    }
  }
  return undefined
}

// Validation sits inside the key so that errors name it (pool.size, not pool).
const durationMs = (name: string, fallback: string) =>
  Config.nested(
    Config.string().pipe(
      Config.mapOrFail((s) => {
        const ms = parseDurationText(s)
        return ms === undefined || ms <= 0
          ? Either.left(ConfigError.InvalidData([], `expected a duration such as 30s, 10m or 2h, got "${s}"`))
          : Either.right(ms)
      }),
    ),
    name,
  ).pipe(Config.withDefault(parseDurationText(fallback)!))
const positiveInt = (name: string, fallback: number) =>
  Config.nested(
    Config.integer().pipe(
      Config.validate({ message: "expected an integer of at least 1", validation: (n) => n >= 1 }),
    ),
    name,
  ).pipe(Config.withDefault(fallback))
const nonEmptyString = (name: string) =>
  Config.nested(
    Config.string().pipe(
      Config.validate({ message: "expected a non-empty string", validation: (s) => s !== "" }),
    ),
    name,
  )

export const settingsConfig = Config.all({
  queue: Config.string("queue").pipe(Config.withDefault("./.ccl/queue")),
  state: Config.string("state").pipe(Config.withDefault("./.ccl/state")),
  tmux: Config.nested(Config.all({ socket: Config.option(nonEmptyString("socket")) }), "tmux"),
  agent: Config.nested(
    Config.all({
      command: nonEmptyString("command").pipe(Config.withDefault("claude")),
      args: Config.array(Config.string(), "args").pipe(
        Config.withDefault(["--dangerously-skip-permissions"]),
      ),
    }),
    "agent",
  ),
  pool: Config.nested(
    Config.all({
      size: positiveInt("size", 3),
      prefix: nonEmptyString("prefix").pipe(Config.withDefault("ccl-pool")),
      cwd: Config.string("cwd").pipe(Config.withDefault("~/work")),
      freshContext: Config.boolean("fresh_context").pipe(Config.withDefault(true)),
      maxAttempts: positiveInt("max_attempts", 3),
    }),
    "pool",
  ),
  dedicated: Config.array(
    Config.all({ name: nonEmptyString("name"), cwd: Config.string("cwd") }),
    "dedicated",
  ).pipe(Config.withDefault([])),
  accounts: Config.array(
    Config.all({ name: nonEmptyString("name"), home: Config.string("home") }),
    "accounts",
  ).pipe(Config.withDefault([])),
  shared: Config.nested(
    Config.all({
      root: Config.string("root").pipe(Config.withDefault("~/.claude-shared")),
      required: Config.array(Config.string(), "required").pipe(
        Config.withDefault(["session-env", "file-history", "projects"]),
      ),
    }),
    "shared",
  ),
  delegation: Config.nested(
    Config.all({
      url: nonEmptyString("url").pipe(Config.withDefault("https://secutools.example/api")),
      providers: Config.array(Config.string(), "providers").pipe(
        Config.withDefault(["gpu", "gemini", "claude-api"]),
      ),
      complexity: Config.nested(
        Config.all({
          low: nonEmptyString("low").pipe(Config.withDefault("gpu")),
          medium: nonEmptyString("medium").pipe(Config.withDefault("gemini")),
          high: nonEmptyString("high").pipe(Config.withDefault("claude-api")),
        }),
        "complexity",
      ),
      pollMs: durationMs("poll", "10s"),
      deadlineMs: durationMs("deadline", "2h"),
      concurrency: positiveInt("concurrency", 16),
      retry: Config.nested(
        Config.all({
          attempts: positiveInt("attempts", defaultRetryPolicy.attempts),
          baseMs: durationMs("base", `${defaultRetryPolicy.baseMs}ms`),
          capMs: durationMs("cap", `${defaultRetryPolicy.capMs}ms`),
          retryAfterCapMs: durationMs("retry_after_cap", `${defaultRetryPolicy.retryAfterCapMs}ms`),
          attemptTimeoutMs: durationMs("attempt_timeout", `${defaultRetryPolicy.attemptTimeoutMs}ms`),
          deadlineMs: durationMs("deadline", `${defaultRetryPolicy.deadlineMs}ms`),
        }),
        "retry",
      ),
    }),
    "delegation",
  ),
  watchdog: Config.nested(
    Config.all({
      staleAfterMs: durationMs("stale_after", "2h"),
      everyMs: durationMs("every", "30s"),
      onStale: Config.literal("report", "fail")("on_stale").pipe(Config.withDefault("report" as const)),
    }),
    "watchdog",
  ),
  api: Config.nested(
    Config.all({
      host: nonEmptyString("host").pipe(Config.withDefault("127.0.0.1")),
      port: Config.port("port").pipe(Config.withDefault(7420)),
    }),
    "api",
  ),
})

/** Secrets and a few well-known names read straight from the environment. */
export const secretsConfig = Config.all({
  apiKey: Config.option(Config.redacted("SECUTOOLS_API_KEY")),
  url: Config.option(Config.string("SECUTOOLS_URL")),
  token: Config.option(Config.redacted("CCL_API_TOKEN")),
})
