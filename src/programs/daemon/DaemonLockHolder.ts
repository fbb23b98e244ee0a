import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs"
import * as net from "node:net"
import { Effect } from "effect"
import { daemonLockFile, daemonLockSocket, readPid } from "./DaemonLock.js"

// Who holds a queue's daemon lock, for `ccl stop`. The lock is the abstract socket (DaemonLock.ts); the pid file
// is only a hint, so a pid is trusted only once the process is seen holding that very socket: a stale file naming
// a pid the system has since reused never gets an unrelated process signalled.

export type LockHolder =
  | { readonly kind: "none" }
  | { readonly kind: "daemon"; readonly pid: number }
  /** Held, but by no process this user can see (another user's daemon, /proc hidden). */
  | { readonly kind: "unverified"; readonly pidFile: number }

/** True when the queue's lock socket is bound: a connection is accepted (and dropped by the holder). */
const lockHeld = (name: string) =>
  Effect.async<boolean>((resume) => {
    const socket = net.connect({ path: `\0${name}` })
    socket.once("connect", () => {
      socket.destroy()
      resume(Effect.succeed(true))
    })
    socket.once("error", () => resume(Effect.succeed(false)))
    return Effect.sync(() => socket.destroy())
  })

/** Inodes of the listening sockets bound to this abstract name (`@name` in /proc/net/unix). */
const listeningInodes = (name: string): Set<string> => {
  const out = new Set<string>()
  const lines = readFileSync("/proc/net/unix", "utf8").split("\n").slice(1)
  for (const line of lines) {
    const f = line.trim().split(/\s+/)
    // Num RefCount Protocol Flags Type St Inode Path; flag 0x10000 = listening. Node binds an abstract name over
    // the whole sun_path, NUL-padded: /proc shows each NUL as "@".
    if (f[7]?.replace(/@+$/, "") === `@${name}` && (Number.parseInt(f[3] ?? "0", 16) & 0x10000) !== 0)
      out.add(f[6]!)
  }
  return out
}

const holdsSocket = (pid: number, inodes: Set<string>): boolean => {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`)
        return target.startsWith("socket:[") && inodes.has(target.slice("socket:[".length, -1))
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}

/** The process holding the daemon lock of `queueRoot`: the pid file's if it really holds it, else found in /proc. */
export const lockHolder = (queueRoot: string): Effect.Effect<LockHolder> =>
  Effect.gen(function* () {
    if (!existsSync(queueRoot)) return { kind: "none" } as const
    const name = daemonLockSocket(queueRoot)
    if (!(yield* lockHeld(name))) return { kind: "none" } as const
    const pidFile = readPid(daemonLockFile(queueRoot))
    const inodes = yield* Effect.sync(() => {
      try {
        return listeningInodes(name)
      } catch {
        return new Set<string>()
      }
    })
    if (pidFile > 0 && holdsSocket(pidFile, inodes)) return { kind: "daemon", pid: pidFile } as const
    const found = readdirSync("/proc")
      .filter((d) => /^\d+$/.test(d))
      .map(Number)
      .find((pid) => pid !== process.pid && holdsSocket(pid, inodes))
    return found === undefined
      ? ({ kind: "unverified", pidFile } as const)
      : ({ kind: "daemon", pid: found } as const)
  })

/** True while `pid` runs (a zombie, dead but not yet reaped by its parent, does not). */
export const processRunning = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z"
  } catch {
    return false
  }
}
