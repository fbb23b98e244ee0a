// The light `ccl decide` reads the configuration with ConfigCheck.ts, the program with AppConfigLive.ts: both
// from ConfigContract.ts. Whenever the light reading is sure, the program's loader must accept the same file and
// environment and route the same way. Swept over every key of the contract with good and bad values.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { routingSettings } from "../../src/domain/ConfigCheck.js"
import { CONFIG, type ConfigSection, envName, isLeaf } from "../../src/domain/ConfigContract.js"
import { EXAMPLE_CONFIG } from "../../src/domain/Settings.js"
import { parseYamlText } from "../../src/domain/TaskFormat.js"
import { loadSettings } from "../../src/layers/AppConfigLive.js"
import { routerSettingsOf } from "../../src/services/Router.js"
import { tempDir } from "../support/tempDir.js"

type Env = Record<string, string>

/** Both readings of `yaml` (none: no file) under `env`; the light one is undefined when unsure. */
const both = (yaml: string | undefined, env: Env) =>
  Effect.gen(function* () {
    const cwd = tempDir()
    let doc: unknown
    if (yaml !== undefined) {
      writeFileSync(path.join(cwd, "ccl.yaml"), yaml)
      const parsed = parseYamlText(yaml)
      doc = parsed.ok ? (parsed.value ?? {}) : null
    }
    const light = doc === null ? undefined : routingSettings(doc, env)
    const full = yield* Effect.either(loadSettings({ env, cwd })).pipe(Effect.provide(NodeFileSystem.layer))
    return { light, full }
  })

/** The property: sure means the loader agrees. Returns whether the light reading was sure. */
const agree = (yaml: string | undefined, env: Env) =>
  Effect.gen(function* () {
    const { light, full } = yield* both(yaml, env)
    if (light === undefined) return false
    const what = `${yaml ?? "(no file)"} ${JSON.stringify(env)}`
    expect(Either.isRight(full), `${what}: ${Either.isLeft(full) ? full.left.message : ""}`).toBe(true)
    if (Either.isRight(full)) expect(routerSettingsOf(full.right), what).toEqual(light)
    return true
  })

const leaves = (section: ConfigSection, at: ReadonlyArray<string> = []): Array<ReadonlyArray<string>> =>
  Object.entries(section).flatMap(([k, node]) => (isLeaf(node) ? [[...at, k]] : leaves(node, [...at, k])))

const nested = (keys: ReadonlyArray<string>, value: unknown): unknown =>
  keys.reduceRight<unknown>((inner, k) => ({ [k]: inner }), value)

const FILE_VALUES: ReadonlyArray<unknown> = [
  "",
  "x",
  " gpu ",
  "2h",
  "0s",
  0,
  3,
  1.5,
  70000,
  true,
  null,
  [],
  ["gpu"],
  [""],
  [{ name: "n", cwd: "/c", home: "/h" }],
  [{ name: "", cwd: "/c" }],
  { a: 1 },
  "exec",
  "fail",
]
const ENV_VALUES: ReadonlyArray<string> = [
  "",
  "0",
  "7",
  " 7",
  "yes",
  "maybe",
  "90s",
  "gemini",
  "gpu,gemini",
  "a,,b",
]

describe("the light reading of ccl.yaml agrees with the program's loader", () => {
  it.effect("on the files people write", () =>
    Effect.gen(function* () {
      const sure = [
        yield* agree(undefined, {}),
        yield* agree(undefined, { SECUTOOLS_API_KEY: "sk" }),
        yield* agree("", {}),
        yield* agree(EXAMPLE_CONFIG, { SECUTOOLS_API_KEY: "sk" }),
        yield* agree("delegation:\n  complexity: { low: gemini }\n", { SECUTOOLS_API_KEY: "sk" }),
        yield* agree("pool:\n", {
          CCL_DELEGATION_PROVIDERS: "gpu, gemini",
          CCL_STATE: "/tmp/s",
          CCL_API_PORT: "7421",
        }),
      ]
      // Secrets are read apart, whatever they hold; a blank key leaves delegation off.
      for (const key of ["a,b", " sk ", " ", ""])
        sure.push(
          yield* agree(undefined, {
            SECUTOOLS_API_KEY: key,
            SECUTOOLS_URL: "http://a,b",
            CCL_API_TOKEN: "t,u",
          }),
        )
      expect(sure).toEqual(Array.from({ length: 10 }, () => true))
    }),
  )

  it.effect("on every key of the contract, good and bad values, in the file and in the environment", () =>
    Effect.gen(function* () {
      let sure = 0
      let cases = 0
      for (const keys of leaves(CONFIG as unknown as ConfigSection)) {
        for (const value of FILE_VALUES) {
          cases++
          if (yield* agree(JSON.stringify(nested(keys, value)), {})) sure++
        }
        for (const text of ENV_VALUES) {
          cases++
          if (yield* agree(undefined, { [envName(keys)]: text })) sure++
        }
      }
      // Not vacuous: the light reading is sure of a good share of them.
      expect(sure).toBeGreaterThan(cases / 5)
    }),
  )
})
