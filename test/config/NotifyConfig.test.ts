// notify: in ccl.yaml as the program's loader reads it: the secret from the variable secret_env names, an empty
// events list as every event, ntfy recognised by its host, a secret in clear refused.

import { writeFileSync } from "node:fs"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Redacted } from "effect"
import { routingSettings } from "../../src/domain/ConfigCheck.js"
import { parseYamlText } from "../../src/domain/TaskFormat.js"
import { loadSettings } from "../../src/layers/AppConfigLive.js"
import { tempDir } from "../support/tempDir.js"

const load = (yaml: string, env: Record<string, string> = {}) =>
  Effect.gen(function* () {
    const cwd = tempDir()
    writeFileSync(path.join(cwd, "ccl.yaml"), yaml)
    return yield* Effect.either(loadSettings({ env, cwd })).pipe(Effect.provide(NodeFileSystem.layer))
  })

describe("notify: in ccl.yaml", () => {
  it.effect(
    "webhooks resolved: secret from secret_env, [] or no events = every event, ntfy by host or format",
    () =>
      Effect.gen(function* () {
        const s = yield* load(
          [
            "notify:",
            "  - { url: https://hooks.example/ccl, events: [limit_hit, task_failed], secret_env: HOOK_SECRET }",
            "  - { url: https://ntfy.sh/my-topic, events: [] }",
            "  - { url: https://push.example/topic, format: ntfy }",
          ].join("\n"),
          { HOOK_SECRET: "abc" },
        )
        if (Either.isLeft(s)) throw new Error(s.left.message)
        const [hook, ntfy, self] = s.right.notify
        expect(hook).toMatchObject({
          url: "https://hooks.example/ccl",
          events: ["limit_hit", "task_failed"],
          format: "json",
          secretEnv: "HOOK_SECRET",
        })
        expect(Redacted.value(hook!.secret!)).toBe("abc")
        expect(ntfy).toEqual({
          url: "https://ntfy.sh/my-topic",
          events: [],
          format: "ntfy",
          secretEnv: undefined,
          secret: undefined,
        })
        expect(self).toMatchObject({ format: "ntfy", events: [] })
        // The variable unset: read, not refused here (the daemon and `ccl notify test` refuse it).
        const unset = yield* load("notify: [{ url: https://h.example, secret_env: HOOK_SECRET }]")
        expect(Either.isRight(unset) && unset.right.notify[0]!.secret).toBeUndefined()
        const none = yield* load("queue: ./q\n")
        expect(Either.isRight(none) && none.right.notify).toEqual([])
      }),
  )

  it.effect("refused: a secret in clear, an unknown event, an item with no URL", () =>
    Effect.gen(function* () {
      const message = (e: Either.Either<unknown, { message: string }>) =>
        Either.isLeft(e) ? e.left.message : ""
      expect(message(yield* load("notify: [{ url: https://h.example, secret: abc }]"))).toMatch(
        /"notify\[0\]\.secret": secrets are not read from ccl\.yaml/,
      )
      expect(message(yield* load("notify: [{ url: https://h.example, events: [limit] }]"))).toMatch(
        /notify.*events.*limit_hit, failover/,
      )
      expect(message(yield* load("notify: [{ events: [failover] }]"))).toMatch(/"notify\[0\]\.url"/)
    }),
  )

  it.effect(
    "the light reader (ccl decide) is sure of plain webhooks, unsure of the rest, refuses what the loader refuses",
    () =>
      Effect.gen(function* () {
        const light = (yaml: string) => {
          const parsed = parseYamlText(yaml)
          return parsed.ok ? routingSettings(parsed.value, {}) : undefined
        }
        const plain =
          "notify:\n  - { url: https://h.example/x, events: [failover], secret_env: S, format: json }\n"
        expect(light(plain)).toBeDefined()
        expect(Either.isRight(yield* load(plain))).toBe(true)
        expect(light("notify: [{ url: https://h.example, events: [] }]")).toBeDefined()
        expect(light("notify: [{ url: ' https://h.example' }]")).toBeUndefined()
        expect(light("notify: [{ url: https://h.example, secret: x }]")).toBeUndefined()
        expect(light("notify: [{ url: https://h.example, events: [nope] }]")).toBeUndefined()
        expect(routingSettings({}, { CCL_NOTIFY_0_URL: "https://h.example" })).toBeUndefined()
      }),
  )
})
