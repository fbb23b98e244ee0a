import * as fs from "node:fs"
import * as fsp from "node:fs/promises"
import * as path from "node:path"

// Plain Node only: the lite hook relay imports this file (through ApiTokenFile.ts).

/** mode: the file's (default 0o600); dirMode: any parent folder created (default 0o700). The umask applies. */
export type DurableFileOptions = { readonly mode?: number; readonly dirMode?: number }
type Writer<R> = (file: string, data: string | Uint8Array, options?: DurableFileOptions) => R

// pid + counter: unique across processes, and across writes of one file in this process.
let written = 0
const tempName = (file: string): string => `${file}.${process.pid}.${++written}.tmp`

// Some platforms refuse to fsync a folder (Windows: EISDIR or EPERM; some filesystems: EINVAL).
const ignoreDirSyncRefusal = (e: unknown): undefined => {
  if (!["EISDIR", "EINVAL", "EPERM"].includes((e as NodeJS.ErrnoException)?.code ?? "")) throw e
}

/**
 * Writes `file` whole: readers see the old content or the new, never part of it, and the new survives a crash
 * once this returns (temp in the same folder, fsync, rename, fsync of the folder so the rename is durable too).
 */
export const writeFileDurably: Writer<void> = (file, data, options) => {
  const dir = path.dirname(file)
  fs.mkdirSync(dir, { recursive: true, mode: options?.dirMode ?? 0o700 })
  const tmp = tempName(file)
  try {
    const fd = fs.openSync(tmp, "w", options?.mode ?? 0o600)
    try {
      fs.writeFileSync(fd, data)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, file)
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true })
    } catch {} // the first error is the one worth reporting
    throw e
  }
  let dirFd: number | undefined
  try {
    dirFd = fs.openSync(dir, "r")
    fs.fsyncSync(dirFd)
  } catch (e) {
    ignoreDirSyncRefusal(e)
  } finally {
    if (dirFd !== undefined) fs.closeSync(dirFd)
  }
}

/** `writeFileDurably` without blocking the event loop. */
export const writeFileDurablyAsync: Writer<Promise<void>> = async (file, data, options) => {
  const dir = path.dirname(file)
  await fsp.mkdir(dir, { recursive: true, mode: options?.dirMode ?? 0o700 })
  const tmp = tempName(file)
  try {
    const handle = await fsp.open(tmp, "w", options?.mode ?? 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await fsp.rename(tmp, file)
  } catch (e) {
    await fsp.rm(tmp, { force: true }).catch(() => {}) // the first error is the one worth reporting
    throw e
  }
  await fsp
    .open(dir, "r")
    .then((h) => h.sync().finally(() => h.close()))
    .catch(ignoreDirSyncRefusal)
}

/**
 * Creates `file` (never replacing one: EEXIST) holding `data`, fsynced before this resolves; its folder is not
 * synced: the caller links it into place and syncs that folder (once for many files: TaskQueueFsBatch.ts). One
 * thread-pool chain per file, so many can be in flight and their fsyncs share journal commits. A failed write
 * can leave a partial file behind: the caller removes it.
 */
export const createFileDurably = (file: string, data: string, mode = 0o600): Promise<void> =>
  new Promise((resolve, reject) =>
    fs.writeFile(file, data, { flag: "wx", mode, flush: true }, (e) => (e ? reject(e) : resolve())),
  )
