// One daemon per queue (DaemonLock.ts): the lock is an abstract Unix socket the kernel frees when its holder
// dies; `.daemon.lock` only names the holder. Over stale lock files, within one process, across racing
// processes, and after a SIGKILL that leaves the holder a zombie nobody reaps.

import { type ChildProcess, spawn } from "node:child_process"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import { build } from "esbuild"
import { acquireDaemonLock, DaemonRunning } from "../../src/programs/daemon/DaemonLock.js"
import { tempDir } from "../support/tempDir.js"
import { eventually } from "../support/tmux.js"

const DEAD_PID = 999_999_999 // above the kernel's highest pid_max (2^22): never a live process

let bundleDir: string
let holder: string
beforeAll(async () => {
  bundleDir = mkdtempSync(path.join(tmpdir(), "ccl-lock-bundle-"))
  holder = path.join(bundleDir, "holder.mjs")
  await build({
    entryPoints: [path.join(import.meta.dirname, "../support/daemonLockHolder.ts")],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    outfile: holder,
    logLevel: "warning",
  })
})
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }))

const queueWithLock = (content?: string) => {
  const queue = path.join(tempDir("ccl-lock-"), "queue")
  mkdirSync(queue, { recursive: true })
  if (content !== undefined) writeFileSync(path.join(queue, ".daemon.lock"), content)
  return { queue, lock: path.join(queue, ".daemon.lock") }
}

/** The DaemonRunning a failed acquire failed with, if that is how it failed. */
const refusal = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** A child's stdout lines as they come, and its exit. */
const watch = (child: ChildProcess) => {
  const lines: Array<string> = []
  let buffered = ""
  child.stdout!.on("data", (chunk: Buffer) => {
    const parts = (buffered + chunk.toString()).split("\n")
    buffered = parts.pop()!
    lines.push(...parts)
  })
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, lines, exited }
}

/**
 * A process's state letter (R, S, Z...) and how many of its threads are left, undefined once it is gone. A killed
 * process's leader may be a zombie while its other threads, still holding its files, finish exiting.
 */
const procState = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0]
    return { state, threads: readdirSync(`/proc/${pid}/task`).length }
  } catch {
    return undefined
  }
}

describe("daemon lock", () => {
  it.effect(
    "a second acquire in the same process, over a stale lock file, is refused while the first holds",
    () =>
      Effect.gen(function* () {
        const { queue, lock } = queueWithLock(String(DEAD_PID))
        yield* Effect.scoped(
          Effect.gen(function* () {
            expect(yield* acquireDaemonLock(queue)).toBe(lock)
            const second = yield* Effect.scoped(acquireDaemonLock(queue)).pipe(Effect.exit)
            const error = refusal(second)
            expect(error, String(second)).toBeInstanceOf(DaemonRunning)
            expect(error).toMatchObject({ pid: process.pid, lock })
            // The refused attempt released nothing: the file still names the holder.
            expect(readFileSync(lock, "utf8")).toBe(String(process.pid))
            // The file only informs: without it the socket still refuses, naming no pid.
            rmSync(lock)
            const third = refusal(yield* Effect.scoped(acquireDaemonLock(queue)).pipe(Effect.exit))
            expect(third).toMatchObject({ _tag: "DaemonRunning", pid: 0, lock })
            expect(third?.message).toContain("another ccl daemon (pid unknown)")
          }),
        )
        expect(existsSync(lock)).toBe(false)
      }),
  )

  it.effect(
    "a lock file naming a live process that holds no lock (the dead daemon's pid reused) is taken over, and removed at scope close",
    () =>
      Effect.gen(function* () {
        // Our parent is alive and no daemon: exactly what a pid check mistakes for the owner.
        const { queue, lock } = queueWithLock(String(process.ppid))
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* acquireDaemonLock(queue)
            expect(readFileSync(lock, "utf8")).toBe(String(process.pid))
          }),
        )
        expect(existsSync(lock)).toBe(false)
        // And a garbage lock file is no obstacle either.
        writeFileSync(lock, "\0garbage")
        yield* Effect.scoped(acquireDaemonLock(queue))
        expect(existsSync(lock)).toBe(false)
      }),
  )

  it.live(
    "6 processes racing on a queue over a stale lock file, 12 rounds: each time exactly one wins",
    () =>
      Effect.promise(async () => {
        // Rounds, each on a queue of its own: on few CPUs, one round of racers rarely overlaps enough to catch a
        // racy lock (the old pid-file takeover let two win in roughly a third of rounds here).
        const queues = Array.from({ length: 12 }, () => queueWithLock(String(DEAD_PID)))
        const racers = Array.from({ length: 6 }, () =>
          watch(
            spawn(process.execPath, [holder, "race", ...queues.map((q) => q.queue)], {
              stdio: ["pipe", "pipe", "inherit"],
            }),
          ),
        )
        try {
          await eventually(
            () => (racers.every((r) => r.lines.includes("ready")) ? true : undefined),
            20_000,
            () => `not all racers ready: ${JSON.stringify(racers.map((r) => r.lines))}`,
          )
          const start = Date.now() + 300
          for (const r of racers) r.child.stdin!.end(`${start}\n`)
          const codes = await Promise.all(racers.map((r) => r.exited))
          expect(codes).toEqual(racers.map(() => 0))
          // Per round, how many won and how many were refused: 1 and 5 each time.
          const tally = queues.map((_, round) => {
            const said = racers.map((r) => r.lines.find((l) => l.startsWith(`${round} `)))
            return [
              said.filter((l) => l === `${round} won`).length,
              said.filter((l) => l === `${round} refused`).length,
            ]
          })
          expect(tally).toEqual(queues.map(() => [1, 5]))
        } finally {
          for (const r of racers) r.child.kill("SIGKILL")
        }
        // Nothing left behind blocks the next daemon.
        for (const { queue, lock } of queues) {
          expect(existsSync(lock)).toBe(false)
          const next = await Effect.runPromise(Effect.scoped(acquireDaemonLock(queue)).pipe(Effect.exit))
          expect(Exit.isSuccess(next), String(next)).toBe(true)
        }
      }),
    30_000,
  )

  it.live(
    "after the holder is SIGKILLed, the next acquire succeeds at once, even while the holder is a zombie nobody reaps",
    () =>
      Effect.promise(async () => {
        const { queue, lock } = queueWithLock()
        // The holder's parent is `sleep`, which never reaps it: killed, it stays a zombie (as under a container's
        // PID 1 that does not reap), a pid that kill(pid, 0) still finds.
        const sh = watch(
          spawn("sh", ["-c", '"$0" "$1" hold "$2" & exec sleep 1000', process.execPath, holder, queue], {
            stdio: ["ignore", "pipe", "inherit"],
          }),
        )
        try {
          const line = await eventually(
            () => sh.lines.find((l) => l.startsWith("held ")),
            20_000,
            () => `the holder did not take the lock: ${JSON.stringify(sh.lines)}`,
          )
          const pid = Number(line.slice("held ".length))
          const whileHeld = await Effect.runPromise(Effect.scoped(acquireDaemonLock(queue)).pipe(Effect.exit))
          expect(refusal(whileHeld)).toMatchObject({ _tag: "DaemonRunning", pid, lock })

          process.kill(pid, "SIGKILL")
          await eventually(
            () => (procState(pid)?.state === "Z" && procState(pid)?.threads === 1 ? true : undefined),
            10_000,
            () => `pid ${pid}: ${JSON.stringify(procState(pid))}, not a zombie yet`,
          )
          expect(() => process.kill(pid, 0)).not.toThrow()
          expect(readFileSync(lock, "utf8")).toBe(String(pid))

          const next = await Effect.runPromise(Effect.scoped(acquireDaemonLock(queue)).pipe(Effect.exit))
          expect(Exit.isSuccess(next), String(next)).toBe(true)
          expect(existsSync(lock)).toBe(false)
        } finally {
          sh.child.kill("SIGKILL") // the sleep; the zombie goes to init, which reaps it
        }
      }),
  )
})
