import * as fs from "node:fs/promises"
import { Effect, Layer } from "effect"
import { LinkOpError, type LinkOps, makeSymlinkFs, SymlinkFs } from "../services/SymlinkFs.js"

const call = <A>(op: string, p: string, f: () => Promise<A>) =>
  Effect.tryPromise({
    try: f,
    catch: (e) => new LinkOpError({ op, path: p, code: String((e as NodeJS.ErrnoException)?.code ?? "EIO") }),
  })

/** The real filesystem through node:fs/promises: `lstat` only (never `stat`), and no call that deletes. */
export const nodeLinkOps: LinkOps = {
  lstat: (p) =>
    call("lstat", p, () => fs.lstat(p)).pipe(
      Effect.map((s) =>
        s.isSymbolicLink() ? "link" : s.isDirectory() ? "dir" : s.isFile() ? "file" : ("other" as const),
      ),
    ),
  readlink: (p) => call("readlink", p, () => fs.readlink(p)),
  symlink: (text, p) => call("symlink", p, () => fs.symlink(text, p)),
  mkdir: (p, mode) => call("mkdir", p, () => fs.mkdir(p, { mode })),
  rename: (from, to) => call("rename", to, () => fs.rename(from, to)),
}

export const SymlinkFsNode = Layer.succeed(SymlinkFs, makeSymlinkFs(nodeLinkOps))
