import { closeSync, fstatSync, openSync, readSync, statSync } from "node:fs"
import { Effect, Schedule } from "effect"
import { readFileTail } from "./FileTail.js"
import { rotatedLogPath } from "./RotatingLogFile.js"

// Reading a log that a rotating writer (RotatingLogFile.ts) appends to: its last lines, reaching into the rotated
// files when the current one holds fewer, and following it across rotations the way `tail -F` does.

const POLL = Schedule.spaced("200 millis")

/** Whole lines of a text: a last one without its newline is still being written. */
const linesOf = (text: string): Array<string> => {
  const lines = text.split("\n")
  lines.pop()
  return lines
}

/** The last bytes of an open file up to `end`, from its first whole line when the start was cut. */
const tailOfFd = (fd: number, end: number, maxBytes: number) => {
  const start = Math.max(0, end - maxBytes)
  const buffer = Buffer.alloc(end - start)
  readSync(fd, buffer, 0, buffer.length, start)
  const text = buffer.toString("utf8")
  return start === 0 ? { text, skipped: 0 } : { text: text.slice(text.indexOf("\n") + 1), skipped: start }
}

/**
 * The last `n` lines of the log (oldest first): of the open current file up to `end`, then, while they are fewer,
 * of `file.1` ... `file.<keep>`.
 */
const lastLines = (file: string, current: Cursor, n: number, keep: number): Array<string> => {
  const out: Array<string> = []
  for (let i = 0; i <= keep && out.length < n; i++) {
    // Doubling the bytes read until they hold the lines wanted or the whole file: lines have no fixed length.
    for (let budget = 64 * 1024; ; budget *= 2) {
      const tail =
        i === 0 ? tailOfFd(current.fd, current.pos, budget) : readFileTail(rotatedLogPath(file, i), budget)
      if (tail === undefined) break
      const lines = linesOf(tail.text)
      // A line being written at `end` is finished by the follow.
      if (i === 0) current.partial = tail.text.slice(tail.text.lastIndexOf("\n") + 1)
      const wanted = n - out.length
      if (lines.length >= wanted || tail.skipped === 0) {
        out.unshift(...lines.slice(Math.max(0, lines.length - wanted)))
        break
      }
    }
  }
  return out
}

interface Cursor {
  fd: number
  ino: number
  pos: number
  partial: string
}

const inodeOf = (file: string): number | undefined => {
  try {
    return statSync(file).ino
  } catch {
    return undefined
  }
}

/** Everything appended to the cursor's file since its position, as whole lines (a partial one waits). */
const drain = (c: Cursor): Array<string> => {
  const size = fstatSync(c.fd).size
  if (size < c.pos) c.pos = 0 // truncated in place: start again from its beginning
  if (size === c.pos) return []
  const buffer = Buffer.alloc(size - c.pos)
  const got = readSync(c.fd, buffer, 0, buffer.length, c.pos)
  c.pos += got
  const text = c.partial + buffer.subarray(0, got).toString("utf8")
  const cut = text.lastIndexOf("\n")
  c.partial = text.slice(cut + 1)
  return cut < 0 ? [] : text.slice(0, cut).split("\n")
}

const openCursor = (file: string): Cursor | undefined => {
  try {
    const fd = openSync(file, "r")
    const st = fstatSync(fd)
    return { fd, ino: st.ino, pos: st.size, partial: "" }
  } catch {
    return undefined
  }
}

/** One look at a followed log: what was appended, and the new file's lines when it was rotated meanwhile. */
const followStep = (file: string, c: Cursor): Array<string> => {
  const lines = drain(c)
  const now = inodeOf(file)
  if (now === undefined || now === c.ino) return lines
  const next = openCursor(file)
  if (next === undefined) return lines
  if (c.partial !== "") lines.push(c.partial)
  closeSync(c.fd)
  Object.assign(c, { ...next, pos: 0 })
  return [...lines, ...drain(c)]
}

/**
 * The daemon's log for `ccl logs`: the last `n` lines (from the rotated files too when needed), then, with
 * `follow`, every line appended from there on until interrupted, across rotations the way `tail -F` does (the
 * old file read to its end, then the new one from its start). Fails with "missing" when there is no log.
 */
export const readLog = (
  file: string,
  options: { readonly n: number; readonly keep: number; readonly follow: boolean },
  emit: (lines: ReadonlyArray<string>) => Effect.Effect<void>,
) =>
  Effect.acquireRelease(
    Effect.sync(() => openCursor(file)),
    (c) => Effect.sync(() => c !== undefined && closeSync(c.fd)),
  ).pipe(
    Effect.flatMap((c) =>
      c === undefined
        ? Effect.fail("missing" as const)
        : emit(lastLines(file, c, options.n, options.keep)).pipe(
            Effect.zipRight(
              options.follow
                ? Effect.repeat(
                    Effect.suspend(() => emit(followStep(file, c))),
                    POLL,
                  )
                : Effect.void,
            ),
          ),
    ),
    Effect.scoped,
    Effect.asVoid,
  )
