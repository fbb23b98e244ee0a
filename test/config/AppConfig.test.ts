import { writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Redacted } from "effect"
import { EXAMPLE_CONFIG } from "../../src/domain/Settings.js"
import { type ConfigSource, loadSettings } from "../../src/layers/AppConfigLive.js"
import { AppConfig } from "../../src/services/AppConfig.js"
import { Router } from "../../src/services/Router.js"
import { tempDir } from "../support/tempDir.js"

const load = (source: ConfigSource) => loadSettings(source).pipe(Effect.provide(NodeFileSystem.layer))

describe("loadSettings", () => {
  it.effect("needs no file: DESIGN.md defaults, queue and state under ./.ccl", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      const s = yield* load({ env: {}, cwd })
      expect(s.configFile).toBeUndefined()
      expect(s.queue).toBe(path.join(cwd, ".ccl", "queue"))
      expect(s.state).toBe(path.join(cwd, ".ccl", "state"))
      expect(s.pool).toEqual({
        size: 3,
        prefix: "ccl-pool",
        cwd: path.join(os.homedir(), "work"),
        freshContext: true,
        maxAttempts: 3,
        retryBackoffMs: 30_000,
        retryBackoffMaxMs: 1_800_000,
      })
      expect(s.agent).toEqual({ command: "claude", args: ["--dangerously-skip-permissions"] })
      expect(s.tmux).toEqual({ socket: undefined, mode: "control" })
      expect(s.delegation.providers).toEqual(["gpu", "gemini", "claude-api"])
      expect(s.delegation.complexity).toEqual({ low: "gpu", medium: "gemini", high: "claude-api" })
      expect(s.delegation.pollMs).toBe(10_000)
      expect(s.delegation.deadlineMs).toBe(7_200_000)
      expect(s.delegation.apiKey).toBeUndefined()
      expect(s.watchdog).toEqual({ staleAfterMs: 7_200_000, everyMs: 30_000, onStale: "report" })
      expect(s.api).toEqual({ host: "127.0.0.1", port: 7420, token: undefined, metricsToken: false })
      expect(s.shared.required).toEqual(["session-env", "file-history", "projects"])
    }),
  )

  it.effect(
    'an empty list in the file is an empty list (Effect\'s fromJson reads [] as ["<nil>"]); CCL_* wins',
    () =>
      Effect.gen(function* () {
        const cwd = tempDir()
        writeFileSync(
          path.join(cwd, "ccl.yaml"),
          "agent: { command: claude, args: [] }\nshared: { required: [] }\ndelegation: { providers: [] }\n",
        )
        const s = yield* load({ env: {}, cwd })
        expect(s.agent.args).toEqual([])
        expect(s.shared.required).toEqual([])
        expect(s.delegation.providers).toEqual([])
        const overridden = yield* load({ env: { CCL_AGENT_ARGS: "--a,--b" }, cwd })
        expect(overridden.agent.args).toEqual(["--a", "--b"])
      }),
  )

  it.effect("the example ccl init writes loads, with paths relative to the file", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      writeFileSync(path.join(dir, "ccl.yaml"), EXAMPLE_CONFIG)
      const s = yield* load({ env: {}, cwd: "/", file: path.join(dir, "ccl.yaml") })
      expect(s.configFile).toBe(path.join(dir, "ccl.yaml"))
      expect(s.queue).toBe(path.join(dir, "queue"))
      expect(s.tmux.socket).toBeUndefined()
      expect(s.accounts).toEqual([])
    }),
  )

  it.effect("file values, lists of accounts, and CCL_* environment overrides (environment wins)", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      writeFileSync(
        path.join(dir, "ccl.yaml"),
        [
          "queue: q",
          "tmux: { socket: ccl-test, mode: exec }",
          "pool: { size: 4, fresh_context: false }",
          "accounts:",
          "  - { name: main, home: ~/.claude-main }",
          "  - { name: backup, home: homes/backup }",
          "dedicated: [{ name: ccl-1-x, cwd: /srv/x }]",
          "delegation: { poll: 2s, complexity: { low: gemini } }",
        ].join("\n"),
      )
      const s = yield* load({
        env: { CCL_POOL_SIZE: "6", CCL_DELEGATION_DEADLINE: "30m", CCL_AGENT_ARGS: "--a,--b" },
        cwd: dir,
      })
      expect(s.queue).toBe(path.join(dir, "q"))
      expect(s.tmux).toEqual({ socket: "ccl-test", mode: "exec" })
      expect(s.pool.size).toBe(6)
      expect(s.pool.freshContext).toBe(false)
      expect(s.agent.args).toEqual(["--a", "--b"])
      expect(s.accounts).toEqual([
        { name: "main", home: path.join(os.homedir(), ".claude-main") },
        { name: "backup", home: path.join(dir, "homes", "backup") },
      ])
      expect(s.dedicated).toEqual([{ name: "ccl-1-x", cwd: "/srv/x" }])
      expect(s.delegation.pollMs).toBe(2_000)
      expect(s.delegation.deadlineMs).toBe(1_800_000)
      expect(s.delegation.complexity).toEqual({ low: "gemini", medium: "gemini", high: "claude-api" })
    }),
  )

  it.effect("secrets only from the environment, held as Redacted; an empty key means no key", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      const s = yield* load({
        env: { SECUTOOLS_API_KEY: "sk-planted-sentinel", SECUTOOLS_URL: "http://127.0.0.1:9" },
        cwd,
      })
      expect(Redacted.value(s.delegation.apiKey!)).toBe("sk-planted-sentinel")
      expect(String(s.delegation.apiKey)).not.toContain("sk-planted-sentinel")
      expect(JSON.stringify(s)).not.toContain("sk-planted-sentinel")
      expect(s.delegation.url).toBe("http://127.0.0.1:9")
      const empty = yield* load({ env: { SECUTOOLS_API_KEY: "  " }, cwd })
      expect(empty.delegation.apiKey).toBeUndefined()
    }),
  )

  it.effect.each([
    ["pool:\n  size: many\n", {}, "pool.size"],
    ["pool:\n  size: 0\n", {}, "pool.size: expected an integer of at least 1"],
    [
      "delegation:\n  poll: soon\n",
      {},
      'delegation.poll: expected a duration such as 30s, 10m or 2h, got "soon"',
    ],
    ["watchdog:\n  on_stale: maybe\n", {}, "watchdog.on_stale"],
    ["tmux:\n  mode: fast\n", {}, "tmux.mode"],
    ["quee: ./q\n", {}, 'unknown key "quee"'],
    ["pool:\n  sise: 3\n", {}, 'unknown key "pool.sise"'],
    ["- a\n- b\n", {}, "must be a YAML mapping"],
    ["a: [1\n", {}, "not valid YAML"],
    ["", { CCL_API_PORT: "99999" }, "API_PORT"],
  ] as const)("%j %j -> ConfigInvalid mentioning %s", ([yaml, env, fragment]) =>
    Effect.gen(function* () {
      const cwd = tempDir()
      writeFileSync(path.join(cwd, "ccl.yaml"), yaml)
      const err = yield* Effect.flip(load({ env, cwd }))
      expect(err._tag).toBe("ConfigInvalid")
      expect(err.message).toContain(fragment)
      expect(err.message.split("\n")).toHaveLength(1)
    }),
  )

  it.effect("an explicit config file that does not exist is an error; CCL_CONFIG names the file too", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      const err = yield* Effect.flip(load({ env: {}, cwd, file: "nope.yaml" }))
      expect(err.message).toContain("does not exist")
      writeFileSync(path.join(cwd, "other.yaml"), "queue: elsewhere\n")
      const s = yield* load({ env: { CCL_CONFIG: "other.yaml" }, cwd })
      expect(s.queue).toBe(path.join(cwd, "elsewhere"))
    }),
  )
})

describe("Router service", () => {
  const routerWith = (env: Record<string, string>) =>
    Router.Default.pipe(Layer.provide(Layer.effect(AppConfig, load({ env, cwd: tempDir() }))))

  it.effect("delegation is on exactly when SECUTOOLS_API_KEY is set", () =>
    Effect.gen(function* () {
      const off = yield* Effect.provide(Router, routerWith({}))
      expect(off.decide({ preferred_ai: "gemini" })).toMatchObject({ route: "local", rule: 4 })
      const on = yield* Effect.provide(Router, routerWith({ SECUTOOLS_API_KEY: "k" }))
      expect(on.decide({ preferred_ai: "gemini" })).toMatchObject({
        route: "delegate",
        provider: "gemini",
        rule: 5,
      })
      expect(on.decide({})).toMatchObject({ route: "local", rule: 8 })
    }),
  )

  it.effect("providers and the complexity map come from configuration", () =>
    Effect.gen(function* () {
      const router = yield* Effect.provide(
        Router,
        routerWith({
          SECUTOOLS_API_KEY: "k",
          CCL_DELEGATION_PROVIDERS: "gpu,mistral",
          CCL_DELEGATION_COMPLEXITY_HIGH: "mistral",
        }),
      )
      expect(router.decide({ preferred_ai: "mistral" })).toMatchObject({
        route: "delegate",
        provider: "mistral",
      })
      expect(router.decide({ preferred_ai: "gemini" })).toMatchObject({ route: "local", rule: 6 })
      expect(router.decide({ allow_delegation: true, complexity_hint: "high" })).toMatchObject({
        provider: "mistral",
      })
    }),
  )
})
