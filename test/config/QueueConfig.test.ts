import { writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { type ConfigSource, loadSettings } from "../../src/layers/AppConfigLive.js"
import { tempDir } from "../support/tempDir.js"

const load = (source: ConfigSource) => loadSettings(source).pipe(Effect.provide(NodeFileSystem.layer))

describe("queue: a path or a Postgres URL", () => {
  it.effect("a path is resolved as always; node is the host name and the lease 2m unless set", () =>
    Effect.gen(function* () {
      const cwd = tempDir()
      writeFileSync(path.join(cwd, "ccl.yaml"), "queue: ./q\n")
      const s = yield* load({ env: {}, cwd })
      expect(s.queue).toBe(path.join(cwd, "q"))
      expect(s.node).toBe(os.hostname())
      expect(s.queueLeaseMs).toBe(120_000)
      expect(s.queuePassword).toBeUndefined()
    }),
  )

  it.effect(
    "a URL is kept as written; node and queue_lease from the file, the password from the environment",
    () =>
      Effect.gen(function* () {
        const cwd = tempDir()
        writeFileSync(
          path.join(cwd, "ccl.yaml"),
          "queue: postgres://ccl@db.example/ccl\nnode: build-1\nqueue_lease: 30s\n",
        )
        const s = yield* load({ env: { CCL_QUEUE_PASSWORD: "pw-sentinel", PGPASSWORD: "other" }, cwd })
        expect(s.queue).toBe("postgres://ccl@db.example/ccl")
        expect(s.node).toBe("build-1")
        expect(s.queueLeaseMs).toBe(30_000)
        expect(Redacted.value(s.queuePassword!)).toBe("pw-sentinel")
        expect(JSON.stringify(s)).not.toContain("pw-sentinel")
        const pg = yield* load({ env: { PGPASSWORD: "pg-pw", CCL_NODE: "n2" }, cwd })
        expect(Redacted.value(pg.queuePassword!)).toBe("pg-pw")
        expect(pg.node).toBe("n2")
        const env = yield* load({ env: { CCL_QUEUE: "postgresql://u@h:5433/d" }, cwd })
        expect(env.queue).toBe("postgresql://u@h:5433/d")
      }),
  )

  it.effect.each([
    ["queue: postgres://ccl:s3cret-sentinel@db.example/ccl\n", {}],
    ["queue: postgres://ccl@db.example/ccl?password=s3cret-sentinel\n", {}],
    ["", { CCL_QUEUE: "postgres://ccl:s3cret-sentinel@db.example/ccl" }],
  ] as const)("a password in the URL (%j %j) is one error line that does not repeat it", ([yaml, env]) =>
    Effect.gen(function* () {
      const cwd = tempDir()
      writeFileSync(path.join(cwd, "ccl.yaml"), yaml)
      const err = yield* Effect.flip(load({ env, cwd }))
      expect(err._tag).toBe("ConfigInvalid")
      expect(err.message).toContain("CCL_QUEUE_PASSWORD")
      expect(err.message).not.toContain("s3cret-sentinel")
      expect(err.message.split("\n")).toHaveLength(1)
    }),
  )
})
