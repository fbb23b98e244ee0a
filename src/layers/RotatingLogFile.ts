import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs"
import * as path from "node:path"

/** Where the daemon's log lives, and its rotated predecessors: `daemon.log.1` is the newest. */
export const daemonLogPath = (state: string) => path.join(state, "daemon.log")
export const rotatedLogPath = (file: string, n: number) => `${file}.${n}`

export interface RotatingLogFile {
  readonly write: (line: string) => void
  readonly close: () => void
}

/**
 * An append-only file that moves aside (`file` -> `file.1` -> ... -> `file.<keep>`, the oldest dropped) before a
 * line would take it past `maxBytes`. Synchronous: a Logger writes as it is called, and a line is never split
 * between two files or lost to a crash right after it was logged. A write that fails (disk full) is dropped,
 * never the daemon: stdout still has the line.
 */
export const openRotatingLogFile = (
  file: string,
  limits: { readonly maxBytes: number; readonly keep: number },
): RotatingLogFile => {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  let fd: number | undefined = openSync(file, "a", 0o600)
  let size = fstatSync(fd).size
  const rotate = () => {
    if (fd !== undefined) closeSync(fd)
    fd = undefined
    rmSync(rotatedLogPath(file, limits.keep), { force: true })
    for (let n = limits.keep - 1; n >= 1; n--) {
      try {
        renameSync(rotatedLogPath(file, n), rotatedLogPath(file, n + 1))
      } catch {} // not there yet
    }
    renameSync(file, rotatedLogPath(file, 1))
    fd = openSync(file, "a", 0o600)
    size = 0
  }
  return {
    write: (line) => {
      const bytes = Buffer.from(`${line}\n`, "utf8")
      try {
        if (size > 0 && size + bytes.length > limits.maxBytes) rotate()
        if (fd === undefined) fd = openSync(file, "a", 0o600)
        writeSync(fd, bytes)
        size += bytes.length
      } catch {}
    },
    close: () => {
      if (fd !== undefined) closeSync(fd)
      fd = undefined
    },
  }
}
