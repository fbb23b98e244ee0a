// A child process for the daemon-lock tests, bundled by them with esbuild. `race QUEUE...` prints "ready", reads
// a start time on stdin, then at that time tries the first queue's lock, holding it 1.5 s if it won, 250 ms
// later the next queue's, and so on: one line "<round> won|refused" each. `hold QUEUE` takes the lock, prints
// "held <pid>" and holds it until killed.

import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { createInterface } from "node:readline"
import { Effect } from "effect"
import { acquireDaemonLock } from "../../src/programs/daemon/DaemonLock.js"

const [mode, ...queues] = process.argv.slice(2) as [string, ...Array<string>]
const now = () => performance.timeOrigin + performance.now()

const attempt = (queue: string, whileHeld: Effect.Effect<void>) =>
  Effect.runPromise(
    Effect.scoped(acquireDaemonLock(queue).pipe(Effect.andThen(whileHeld), Effect.as("won"))).pipe(
      Effect.catchTag("DaemonRunning", () => Effect.succeed("refused")),
    ),
  )

if (mode === "hold") {
  await attempt(
    queues[0]!,
    Effect.sync(() => console.log(`held ${process.pid}`)).pipe(Effect.andThen(Effect.never)),
  )
} else {
  // A first run on a queue of its own: the race must not be decided by who loads and compiles the code first.
  const scratch = mkdtempSync(path.join(tmpdir(), "ccl-lock-warmup-"))
  await attempt(scratch, Effect.void)
  rmSync(scratch, { recursive: true, force: true })
  console.log("ready")
  const lines = createInterface({ input: process.stdin })
  const start = Number(await new Promise<string>((resolve) => lines.once("line", resolve)))
  lines.close()
  // Rounds 250 ms apart, each on its own queue, so that a winner's 1.5 s hold overlaps the next rounds.
  const rounds = queues.map(async (queue, round) => {
    const at = start + round * 250
    await new Promise((resolve) => setTimeout(resolve, at - now() - 20))
    while (now() < at) {} // spin, not sleep, at the end: the racers must go within microseconds
    console.log(`${round} ${await attempt(queue, Effect.sleep("1500 millis"))}`)
  })
  await Promise.all(rounds)
}
