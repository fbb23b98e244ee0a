// The control-mode TmuxPool of a daemon that starts on a server whose sessions a previous daemon made (a restart,
// a crash): it adopts them (has), kills and creates them again (a failover at start). Its first commands once
// ran before tmux had made its holder session: the holder's own window was unknown, the sweep killed it, and the
// holder died with the last ccl window ("tmux control client ended: %exit", both relaunches lost).

import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer } from "effect"
import { TmuxPoolControl } from "../../src/layers/TmuxPoolControl.js"
import { TmuxPool } from "../../src/services/TmuxPool.js"
import { tempDir } from "../support/tempDir.js"
import { privateSocket } from "../support/tmux.js"

const NAMES = ["ccl-pool-1", "ccl-1-desk"]

describe("TmuxPool over control mode: a daemon that adopts another's sessions", () => {
  it.live(
    "has, then kill every session and create them again: the connection lives on, ten restarts in a row",
    () =>
      Effect.gen(function* () {
        const server = privateSocket()
        const dir = tempDir()
        const connect = Effect.map(
          Layer.build(TmuxPoolControl({ socket: server.socket }).pipe(Layer.provide(NodeContext.layer))),
          (ctx) => Context.get(ctx, TmuxPool),
        )
        try {
          yield* Effect.scoped(
            Effect.flatMap(connect, (t) =>
              Effect.forEach(NAMES, (name) => t.create({ name, cwd: dir, env: {}, command: "sh" })),
            ),
          )
          for (let round = 0; round < 10; round++)
            yield* Effect.scoped(
              Effect.gen(function* () {
                const t = yield* connect
                for (const name of NAMES) expect(yield* t.has(name)).toBe(true)
                yield* Effect.forEach(
                  NAMES,
                  (name) =>
                    Effect.zipRight(t.kill(name), t.create({ name, cwd: dir, env: {}, command: "sh" })),
                  { concurrency: "unbounded" },
                )
                // A sweep after the kills must have left the holder alone: the connection still answers.
                yield* Effect.sleep("100 millis")
                expect((yield* t.list).map((s) => s.name).sort()).toEqual([...NAMES].sort())
              }),
            )
        } finally {
          server.kill()
        }
      }),
    60_000,
  )
})
