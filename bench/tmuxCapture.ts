// ms per `capture-pane` call: the exec layer (one tmux process per call) against the control layer (one tmux -C
// connection). Not one of `npm run bench`'s figures; run it alone:
//   npx esbuild bench/tmuxCapture.ts --bundle --platform=node --format=esm --packages=external \
//     --outfile=dist/tmux-capture.mjs && node dist/tmux-capture.mjs [calls]

import { execFileSync } from "node:child_process"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Context, Effect, Layer } from "effect"
import { TmuxPoolCli } from "../src/layers/TmuxPoolCli.js"
import { TmuxPoolControl } from "../src/layers/TmuxPoolControl.js"
import { TmuxPool } from "../src/services/TmuxPool.js"

const calls = Number(process.argv[2] ?? 200)
const socket = `ccl-bench-capture-${process.pid}`

const measure = (name: string, layer: Layer.Layer<TmuxPool>, concurrency: number) =>
  Effect.scoped(
    Effect.gen(function* () {
      const pool = Context.get(yield* Layer.build(layer), TmuxPool)
      for (let i = 0; i < 50; i++) yield* pool.capture("bench") // warm up (connect, JIT)
      const start = performance.now()
      yield* Effect.forEach(Array.from({ length: calls }), () => pool.capture("bench"), { concurrency })
      const ms = (performance.now() - start) / calls
      console.log(`${name.padEnd(34)} ${ms.toFixed(3)} ms per call (${calls} calls)`)
    }),
  )

const main = Effect.gen(function* () {
  const exec = TmuxPoolCli({ socket }).pipe(Layer.provide(NodeContext.layer))
  const control = TmuxPoolControl({ socket }).pipe(Layer.provide(NodeContext.layer))
  const setup = Context.get(yield* Layer.build(exec), TmuxPool)
  // A pane that keeps changing, 200x50 like ccl's.
  yield* setup.create({ name: "bench", cwd: process.cwd(), env: {}, command: "top -b -d 1" })
  yield* Effect.sleep("500 millis")
  yield* measure("exec (one after another)", exec, 1)
  yield* measure("control (one after another)", control, 1)
  yield* measure("exec (8 at once)", exec, 8)
  yield* measure("control (8 at once, pipelined)", control, 8)
}).pipe(
  Effect.scoped,
  Effect.ensuring(
    Effect.sync(() => {
      try {
        execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
      } catch {}
    }),
  ),
)

Effect.runPromise(main).catch((e) => {
  console.error(e)
  process.exit(1)
})
