import { Config, ConfigError, Either } from "effect"
import { CONFIG, durationSetting, RULE_TEXT } from "../domain/ConfigContract.js"
import { NOTIFY_EVENTS } from "../domain/Notification.js"

// ccl.yaml's contract (src/domain/ConfigContract.ts: keys, kinds, defaults, messages) as an Effect Config, and the
// secrets read from the environment. AppConfigLive.ts reads them and resolves paths.

export { unknownKey } from "../domain/ConfigContract.js"

// Validation sits inside the key so that errors name it (pool.size, not pool).
const durationMs = (name: string, fallback: string) =>
  Config.nested(
    Config.string().pipe(
      Config.mapOrFail((s) => {
        const d = durationSetting(s)
        return "ms" in d ? Either.right(d.ms) : Either.left(ConfigError.InvalidData([], d.problem))
      }),
    ),
    name,
  ).pipe(Config.withDefault((durationSetting(fallback) as { ms: number }).ms))
const positiveInt = (name: string, fallback: number) =>
  Config.nested(
    Config.integer().pipe(Config.validate({ message: RULE_TEXT.positiveInt, validation: (n) => n >= 1 })),
    name,
  ).pipe(Config.withDefault(fallback))
const nonEmptyString = (name: string) =>
  Config.nested(
    Config.string().pipe(Config.validate({ message: RULE_TEXT.nonEmpty, validation: (s) => s !== "" })),
    name,
  )

const C = CONFIG
const D = C.delegation
const R = D.retry

export const settingsConfig = Config.all({
  queue: Config.string("queue").pipe(Config.withDefault(C.queue.fallback)),
  state: Config.string("state").pipe(Config.withDefault(C.state.fallback)),
  node: Config.option(nonEmptyString("node")),
  queueLeaseMs: durationMs("queue_lease", C.queue_lease.fallback),
  queueInbox: Config.option(nonEmptyString("queue_inbox")),
  tmux: Config.nested(
    Config.all({
      socket: Config.option(nonEmptyString("socket")),
      mode: Config.literal(...C.tmux.mode.kind)("mode").pipe(Config.withDefault(C.tmux.mode.fallback)),
    }),
    "tmux",
  ),
  agent: Config.nested(
    Config.all({
      command: nonEmptyString("command").pipe(Config.withDefault(C.agent.command.fallback)),
      args: Config.array(Config.string(), "args").pipe(Config.withDefault(C.agent.args.fallback)),
    }),
    "agent",
  ),
  pool: Config.nested(
    Config.all({
      size: positiveInt("size", C.pool.size.fallback),
      prefix: nonEmptyString("prefix").pipe(Config.withDefault(C.pool.prefix.fallback)),
      cwd: Config.string("cwd").pipe(Config.withDefault(C.pool.cwd.fallback)),
      freshContext: Config.boolean("fresh_context").pipe(Config.withDefault(C.pool.fresh_context.fallback)),
      maxAttempts: positiveInt("max_attempts", C.pool.max_attempts.fallback),
      retryBackoffMs: durationMs("retry_backoff", C.pool.retry_backoff.fallback),
      retryBackoffMaxMs: durationMs("retry_backoff_max", C.pool.retry_backoff_max.fallback),
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
  // Item shapes (no `secret:` in clear, a URL) are checked before (ConfigContract.webhooksProblem).
  notify: Config.array(
    Config.all({
      url: nonEmptyString("url"),
      events: Config.array(Config.literal(...NOTIFY_EVENTS)(), "events").pipe(Config.withDefault([])),
      format: Config.option(Config.literal("json", "ntfy")("format")),
      secretEnv: Config.option(nonEmptyString("secret_env")),
    }),
    "notify",
  ).pipe(Config.withDefault([])),
  shared: Config.nested(
    Config.all({
      root: Config.string("root").pipe(Config.withDefault(C.shared.root.fallback)),
      required: Config.array(Config.string(), "required").pipe(
        Config.withDefault(C.shared.required.fallback),
      ),
    }),
    "shared",
  ),
  delegation: Config.nested(
    Config.all({
      url: nonEmptyString("url").pipe(Config.withDefault(D.url.fallback)),
      providers: Config.array(Config.string(), "providers").pipe(Config.withDefault(D.providers.fallback)),
      complexity: Config.nested(
        Config.all({
          low: nonEmptyString("low").pipe(Config.withDefault(D.complexity.low.fallback)),
          medium: nonEmptyString("medium").pipe(Config.withDefault(D.complexity.medium.fallback)),
          high: nonEmptyString("high").pipe(Config.withDefault(D.complexity.high.fallback)),
        }),
        "complexity",
      ),
      pollMs: durationMs("poll", D.poll.fallback),
      deadlineMs: durationMs("deadline", D.deadline.fallback),
      concurrency: positiveInt("concurrency", D.concurrency.fallback),
      fallbackOnExhausted: Config.boolean("fallback_on_exhausted").pipe(
        Config.withDefault(D.fallback_on_exhausted.fallback),
      ),
      fallbackProvider: Config.option(nonEmptyString("fallback_provider")),
      retry: Config.nested(
        Config.all({
          attempts: positiveInt("attempts", R.attempts.fallback),
          baseMs: durationMs("base", R.base.fallback),
          capMs: durationMs("cap", R.cap.fallback),
          retryAfterCapMs: durationMs("retry_after_cap", R.retry_after_cap.fallback),
          attemptTimeoutMs: durationMs("attempt_timeout", R.attempt_timeout.fallback),
          deadlineMs: durationMs("deadline", R.deadline.fallback),
        }),
        "retry",
      ),
    }),
    "delegation",
  ),
  watchdog: Config.nested(
    Config.all({
      staleAfterMs: durationMs("stale_after", C.watchdog.stale_after.fallback),
      everyMs: durationMs("every", C.watchdog.every.fallback),
      onStale: Config.literal(...C.watchdog.on_stale.kind)("on_stale").pipe(
        Config.withDefault(C.watchdog.on_stale.fallback),
      ),
    }),
    "watchdog",
  ),
  api: Config.nested(
    Config.all({
      host: nonEmptyString("host").pipe(Config.withDefault(C.api.host.fallback)),
      port: Config.port("port").pipe(Config.withDefault(C.api.port.fallback)),
      metricsToken: Config.boolean("metrics_token").pipe(Config.withDefault(C.api.metrics_token.fallback)),
    }),
    "api",
  ),
  accountsPolicy: Config.nested(
    Config.all({
      swapAtPercent: positiveInt("swap_at_percent", C.accounts_policy.swap_at_percent.fallback),
      stopNewTasksAtPercent: positiveInt(
        "stop_new_tasks_at_percent",
        C.accounts_policy.stop_new_tasks_at_percent.fallback,
      ),
      swap: Config.literal(...C.accounts_policy.swap.kind)("swap").pipe(
        Config.withDefault(C.accounts_policy.swap.fallback),
      ),
      resumeSpreadMs: durationMs("resume_spread", C.accounts_policy.resume_spread.fallback),
    }),
    "accounts_policy",
  ),
  log: Config.nested(
    Config.all({
      maxBytes: positiveInt("max_bytes", C.log.max_bytes.fallback),
      keep: positiveInt("keep", C.log.keep.fallback),
    }),
    "log",
  ),
})

/** Secrets and a few well-known names read straight from the environment. */
export const secretsConfig = Config.all({
  apiKey: Config.option(Config.redacted("SECUTOOLS_API_KEY")),
  url: Config.option(Config.string("SECUTOOLS_URL")),
  token: Config.option(Config.redacted("CCL_API_TOKEN")),
  queuePassword: Config.option(Config.redacted("CCL_QUEUE_PASSWORD")),
  pgPassword: Config.option(Config.redacted("PGPASSWORD")),
})

/**
 * The document as the loader reads it: `events: []` of a webhook (every event) left out, since Effect's fromJson
 * reads an empty list as ["<nil>"].
 */
export const withoutEmptyEvents = (doc: Record<string, unknown>): Record<string, unknown> =>
  Array.isArray(doc.notify)
    ? {
        ...doc,
        notify: doc.notify.map((item) => {
          if (
            item === null ||
            typeof item !== "object" ||
            !Array.isArray(item.events) ||
            item.events.length > 0
          )
            return item
          const { events: _, ...rest } = item
          return rest
        }),
      }
    : doc
