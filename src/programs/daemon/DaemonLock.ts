import { createHash } from "node:crypto"
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs"
import * as net from "node:net"
import * as path from "node:path"
import { Data, Effect } from "effect"
import { isPostgresQueue } from "../../domain/QueueUrl.js"

export class DaemonRunning extends Data.TaggedError("DaemonRunning")<{
  readonly pid: number
  readonly lock: string
}> {
  override get message() {
    const pid = this.pid > 0 ? this.pid : "unknown"
    return `another ccl daemon (pid ${pid}) runs on this queue (lock ${this.lock}): stop it first`
  }
}

/**
 * The folder whose lock is the daemon's: the queue root, or for a Postgres queue (one daemon per node, each with its
 * own state folder) the state folder. Created if missing, since the lock is named after its real path.
 */
export const daemonLockRoot = (settings: { readonly queue: string; readonly state: string }): string => {
  if (!isPostgresQueue(settings.queue)) return settings.queue
  mkdirSync(settings.state, { recursive: true, mode: 0o700 })
  return settings.state
}

/** The file naming the lock holder's pid, and the abstract socket that is the lock itself (no leading NUL). */
export const daemonLockFile = (queueRoot: string) => path.join(queueRoot, ".daemon.lock")
export const daemonLockSocket = (queueRoot: string) =>
  `ccl-daemon-${createHash("sha256").update(realpathSync(queueRoot)).digest("hex").slice(0, 40)}`

/** The pid a lock file names, 0 if it is missing or garbage. */
export const readPid = (lock: string): number => {
  try {
    const pid = Number(readFileSync(lock, "utf8").trim())
    return Number.isInteger(pid) && pid > 0 ? pid : 0
  } catch {
    return 0
  }
}

const listen = (server: net.Server, name: string) =>
  Effect.async<void, NodeJS.ErrnoException>((resume) => {
    server.once("error", (e) => resume(Effect.fail(e)))
    server.listen({ path: name }, () => resume(Effect.void))
  })

/**
 * One daemon per queue. The mutex is a Linux abstract-namespace socket named after the queue's real path: binding
 * it is atomic across all processes (this one included) and the kernel frees it when its holder dies, however it
 * dies, so no pid check (racy, fooled by reused pids and zombies) is needed. `<queue>/.daemon.lock` only names the
 * holder's pid for the refusal message; only the socket's holder writes it, so a stale one is simply overwritten.
 * Released when the scope closes.
 */
export const acquireDaemonLock = (queueRoot: string) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const lock = daemonLockFile(queueRoot)
      // Nothing is served: a stray client is dropped, so it cannot hold up close() at release.
      const server = net.createServer((socket) => socket.destroy())
      yield* listen(server, `\0${daemonLockSocket(queueRoot)}`).pipe(
        Effect.catchAll((e) =>
          e.code === "EADDRINUSE"
            ? Effect.fail(new DaemonRunning({ pid: readPid(lock), lock }))
            : Effect.die(e),
        ),
      )
      server.unref() // held, but it must not keep the process alive on its own (a lock file never did)
      if (existsSync(lock)) {
        yield* Effect.logInfo(`took over a stale daemon lock of pid ${readPid(lock) || "unknown"}`)
      }
      writeFileSync(lock, String(process.pid), { mode: 0o600 })
      return { lock, server }
    }),
    ({ lock, server }) =>
      // The file goes before the socket: once the socket is free, a new holder (maybe in this process) writes it.
      Effect.async<void>((resume) => {
        try {
          if (readFileSync(lock, "utf8").trim() === String(process.pid)) rmSync(lock)
        } catch {}
        server.close(() => resume(Effect.void))
      }),
  ).pipe(Effect.map(({ lock }) => lock))
