import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { Data, Effect } from "effect"
import { processAlive } from "../../layers/ProcessAlive.js"

export class DaemonRunning extends Data.TaggedError("DaemonRunning")<{
  readonly pid: number
  readonly lock: string
}> {
  override get message() {
    return `another ccl daemon (pid ${this.pid}) runs on this queue (lock ${this.lock}): stop it first`
  }
}

/**
 * One daemon per queue: `<queue>/.daemon.lock` holds the owner's pid, created exclusively. A lock whose
 * process is gone is taken over (temp + rename, then read back: of two daemons taking it at once, one wins).
 * Released when the scope closes.
 */
export const acquireDaemonLock = (queueRoot: string) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const lock = path.join(queueRoot, ".daemon.lock")
      const mine = String(process.pid)
      try {
        const fd = openSync(lock, "wx", 0o600)
        writeFileSync(fd, mine)
        closeSync(fd)
        return lock
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e
      }
      const holder = Number(readFileSync(lock, "utf8").trim())
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
        return yield* new DaemonRunning({ pid: holder, lock })
      }
      const tmp = `${lock}.${mine}.tmp`
      writeFileSync(tmp, mine, { mode: 0o600 })
      renameSync(tmp, lock)
      const now = readFileSync(lock, "utf8").trim()
      if (now !== mine) return yield* new DaemonRunning({ pid: Number(now), lock })
      yield* Effect.logInfo(`took over a stale daemon lock of pid ${holder}`)
      return lock
    }),
    (lock) =>
      Effect.sync(() => {
        try {
          if (readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock)
        } catch {}
      }),
  )
