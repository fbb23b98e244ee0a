import * as os from "node:os"
import * as path from "node:path"
import * as FileSystem from "@effect/platform/FileSystem"
import { ConfigProvider, Effect, Either, Layer, Option, Redacted } from "effect"
import { configErrorText } from "../domain/ConfigErrorText.js"
import { parseYaml } from "../domain/Frontmatter.js"
import { formatOf } from "../domain/Notification.js"
import { isPostgresQueue, queueUrlProblem } from "../domain/QueueUrl.js"
import type { Settings } from "../domain/Settings.js"
import { AppConfig, ConfigInvalid } from "../services/AppConfig.js"
import { secretsConfig, settingsConfig, unknownKey, withoutEmptyEvents } from "./SettingsConfig.js"

/** Where settings come from: an explicit file (`--config`), the environment, the working directory. */
export interface ConfigSource {
  readonly file?: string | undefined
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

const MAX_CONFIG_BYTES = 256 * 1024

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
      ConfigProvider.orElse(() => ConfigProvider.fromJson(withoutEmptyEvents(doc))),
    )
    const where = configFile === undefined ? "environment (CCL_*)" : `${configFile} or environment (CCL_*)`
    const raw = yield* Effect.withConfigProvider(settingsConfig, provider).pipe(
      Effect.mapError((e) => new ConfigInvalid({ message: `config ${where}: ${configErrorText(e)}` })),
    )
    const secrets = yield* Effect.withConfigProvider(secretsConfig, envProvider).pipe(
      Effect.mapError((e) => new ConfigInvalid({ message: `environment: ${configErrorText(e)}` })),
    )
    const queueProblem = isPostgresQueue(raw.queue) ? queueUrlProblem(raw.queue) : undefined
    if (queueProblem !== undefined)
      return yield* new ConfigInvalid({ message: `config ${where}: ${queueProblem}` })
    const base = configFile === undefined ? source.cwd : path.dirname(configFile)
    const resolve = (p: string) => path.resolve(base, expandHome(p))
    const apiKey = Option.filter(secrets.apiKey, (k) => Redacted.value(k).trim() !== "")
    const token = Option.filter(secrets.token, (k) => Redacted.value(k) !== "")
    // Effect's ConfigProvider.fromJson reads an empty list as ["<nil>"]: `args: []` in the file means no args
    // (unless CCL_* says otherwise; the environment wins).
    const list = (at: readonly [string, string], read: ReadonlyArray<string>) =>
      source.env[`CCL_${at.join("_").toUpperCase()}`] === undefined && isEmptyList(doc, at) ? [] : read
    const settings: Settings = {
      configFile,
      queue: isPostgresQueue(raw.queue) ? raw.queue : resolve(raw.queue),
      queuePassword: Option.getOrUndefined(Option.orElse(secrets.queuePassword, () => secrets.pgPassword)),
      state: resolve(raw.state),
      node: Option.getOrElse(raw.node, () => os.hostname()),
      queueLeaseMs: raw.queueLeaseMs,
      queueInbox: Option.getOrUndefined(Option.map(raw.queueInbox, resolve)),
      tmux: { socket: Option.getOrUndefined(raw.tmux.socket), mode: raw.tmux.mode },
      agent: { ...raw.agent, args: list(["agent", "args"], raw.agent.args) },
      pool: { ...raw.pool, cwd: resolve(raw.pool.cwd) },
      dedicated: raw.dedicated.map((d) => ({ name: d.name, cwd: resolve(d.cwd) })),
      accounts: raw.accounts.map((a) => ({ name: a.name, home: resolve(a.home) })),
      notify: raw.notify.map((n) => {
        const secretEnv = Option.getOrUndefined(n.secretEnv)
        const secret = secretEnv === undefined ? "" : (source.env[secretEnv] ?? "")
        return {
          url: n.url,
          events: n.events,
          format: formatOf(n.url, Option.getOrUndefined(n.format)),
          secretEnv,
          // Checked where it is used (the daemon, `ccl notify test`): other commands need no webhook secret.
          secret: secret === "" ? undefined : Redacted.make(secret),
        }
      }),
      shared: { root: resolve(raw.shared.root), required: list(["shared", "required"], raw.shared.required) },
      delegation: {
        ...raw.delegation,
        providers: list(["delegation", "providers"], raw.delegation.providers),
        url: Option.getOrElse(secrets.url, () => raw.delegation.url),
        fallbackProvider: Option.getOrUndefined(raw.delegation.fallbackProvider),
        apiKey: Option.getOrUndefined(apiKey),
      },
      watchdog: raw.watchdog,
      api: { ...raw.api, token: Option.getOrUndefined(token) },
      log: raw.log,
      accountsPolicy: raw.accountsPolicy,
    }
    return settings
  })

/** `doc.a.b` is a list with nothing in it. */
const isEmptyList = (doc: unknown, [a, b]: readonly [string, string]): boolean => {
  const section = typeof doc === "object" && doc !== null ? (doc as Record<string, unknown>)[a] : undefined
  const value =
    typeof section === "object" && section !== null ? (section as Record<string, unknown>)[b] : undefined
  return Array.isArray(value) && value.length === 0
}

/** AppConfig from the process environment and working directory, with an optional `--config` path. */
export const AppConfigLive = (file?: string) =>
  Layer.effect(AppConfig, loadSettings({ file, env: process.env, cwd: process.cwd() }))
