import * as os from "node:os"
import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { Config, ConfigError, ConfigProvider, Effect, Either, Layer, Option, Redacted } from "effect"
import { configErrorText } from "../domain/ConfigErrorText.js"
import { parseDurationText } from "../domain/DurationText.js"
import { parseYaml } from "../domain/Frontmatter.js"
import { defaultRetryPolicy } from "../domain/RetryPolicy.js"
import type { Settings } from "../domain/Settings.js"
import { AppConfig, ConfigInvalid } from "../services/AppConfig.js"

/** Where settings come from: an explicit file (`--config`), the environment, the working directory. */
export interface ConfigSource {
  readonly file?: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

const MAX_CONFIG_BYTES = 256 * 1024

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
  watchdog: ["stale_after", "every"],
  api: ["host", "port"],
}

const unknownKey = (doc: Record<string, unknown>): string | undefined => {
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

const settingsConfig = Config.all({
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
    Config.all({ staleAfterMs: durationMs("stale_after", "2h"), everyMs: durationMs("every", "30s") }),
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
const secretsConfig = Config.all({
  apiKey: Config.option(Config.redacted("SECUTOOLS_API_KEY")),
  url: Config.option(Config.string("SECUTOOLS_URL")),
  token: Config.option(Config.redacted("CCL_API_TOKEN")),
})

const expandHome = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(os.homedir(), p.slice(1)) : p)

/** Reads settings: YAML file (if any) under environment overrides, defaults for everything else. */
export const loadSettings = (source: ConfigSource) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const explicit = source.file ?? (source.env.CCL_CONFIG || undefined)
    const candidate = path.resolve(source.cwd, explicit ?? "ccl.yaml")
    const exists = yield* fs.exists(candidate).pipe(Effect.orElseSucceed(() => false))
    if (!exists && explicit !== undefined) {
      return yield* new ConfigInvalid({
        message: `config file ${candidate} does not exist: fix --config/CCL_CONFIG, or run "ccl init" to write one`,
      })
    }
    const configFile = exists ? candidate : undefined
    let doc: Record<string, unknown> = {}
    if (configFile !== undefined) {
      const text = yield* fs
        .readFileString(configFile)
        .pipe(
          Effect.mapError(
            (e) => new ConfigInvalid({ message: `cannot read config file ${configFile}: ${e.message}` }),
          ),
        )
      if (text.length > MAX_CONFIG_BYTES) {
        return yield* new ConfigInvalid({
          message: `config file ${configFile} is over 256 KiB: is it the right file?`,
        })
      }
      const parsed = parseYaml(text)
      if (Either.isLeft(parsed)) {
        return yield* new ConfigInvalid({
          message: `config file ${configFile} is not valid YAML: ${parsed.left}`,
        })
      }
      const value = parsed.right ?? {}
      if (typeof value !== "object" || Array.isArray(value)) {
        return yield* new ConfigInvalid({
          message: `config file ${configFile} must be a YAML mapping of keys`,
        })
      }
      doc = value as Record<string, unknown>
      const unknown = unknownKey(doc)
      if (unknown !== undefined) {
        return yield* new ConfigInvalid({ message: `config file ${configFile}: ${unknown}` })
      }
    }
    const envMap = new Map(
      Object.entries(source.env).filter((e): e is [string, string] => e[1] !== undefined),
    )
    const envProvider = ConfigProvider.fromMap(envMap, { pathDelim: "_", seqDelim: "," })
    const provider = envProvider.pipe(
      ConfigProvider.nested("CCL"),
      ConfigProvider.constantCase,
      ConfigProvider.orElse(() => ConfigProvider.fromJson(doc)),
    )
    const where = configFile === undefined ? "environment (CCL_*)" : `${configFile} or environment (CCL_*)`
    const raw = yield* Effect.withConfigProvider(settingsConfig, provider).pipe(
      Effect.mapError((e) => new ConfigInvalid({ message: `config ${where}: ${configErrorText(e)}` })),
    )
    const secrets = yield* Effect.withConfigProvider(secretsConfig, envProvider).pipe(
      Effect.mapError((e) => new ConfigInvalid({ message: `environment: ${configErrorText(e)}` })),
    )
    const base = configFile === undefined ? source.cwd : path.dirname(configFile)
    const resolve = (p: string) => path.resolve(base, expandHome(p))
    const apiKey = Option.filter(secrets.apiKey, (k) => Redacted.value(k).trim() !== "")
    const token = Option.filter(secrets.token, (k) => Redacted.value(k) !== "")
    const settings: Settings = {
      configFile,
      queue: resolve(raw.queue),
      state: resolve(raw.state),
      tmux: { socket: Option.getOrUndefined(raw.tmux.socket) },
      agent: raw.agent,
      pool: { ...raw.pool, cwd: resolve(raw.pool.cwd) },
      dedicated: raw.dedicated.map((d) => ({ name: d.name, cwd: resolve(d.cwd) })),
      accounts: raw.accounts.map((a) => ({ name: a.name, home: resolve(a.home) })),
      shared: { root: resolve(raw.shared.root), required: raw.shared.required },
      delegation: {
        ...raw.delegation,
        url: Option.getOrElse(secrets.url, () => raw.delegation.url),
        apiKey: Option.getOrUndefined(apiKey),
      },
      watchdog: raw.watchdog,
      api: { ...raw.api, token: Option.getOrUndefined(token) },
    }
    return settings
  })

/** AppConfig from the process environment and working directory, with an optional `--config` path. */
export const AppConfigLive = (file?: string) =>
  Layer.effect(AppConfig, loadSettings({ file, env: process.env, cwd: process.cwd() }))
