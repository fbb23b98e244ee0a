import * as path from "node:path"
import { Effect, Layer } from "effect"
import { LinkOpError, type LinkOps, makeSymlinkFs, SymlinkFs } from "../services/SymlinkFs.js"

export type MemoryEntry =
  | { readonly kind: "dir"; readonly mode?: number }
  | { readonly kind: "file"; readonly data: string }
  | { readonly kind: "link"; readonly target: string }

/**
 * An in-memory filesystem of absolute paths ("/" always exists). `noWrite` maps a folder to the code that
 * creating or renaming anything directly inside it fails with (like chmod 0500); `noSearch` does the same for
 * any look-up inside it too (like chmod 0000).
 */
export interface MemoryFs {
  readonly entries: Map<string, MemoryEntry>
  readonly noWrite: Map<string, string>
  readonly noSearch: Map<string, string>
}

export const makeMemoryFs = (seed: Iterable<readonly [string, MemoryEntry]> = []): MemoryFs => ({
  entries: new Map(seed),
  noWrite: new Map(),
  noSearch: new Map(),
})

type Result<A> = { readonly ok: A } | { readonly code: string }

/** Follows links in every component but the last, as the kernel does; the real parent folder. */
const resolveParent = (m: MemoryFs, p: string): Result<string> => {
  const parts = path.dirname(path.resolve(p)).split("/").filter(Boolean)
  let cur = "/"
  for (let hops = 0; parts.length > 0; ) {
    const denied = m.noSearch.get(cur)
    if (denied !== undefined) return { code: denied }
    const next = path.join(cur, parts.shift()!)
    const e = m.entries.get(next)
    if (e === undefined) return { code: "ENOENT" }
    if (e.kind === "file") return { code: "ENOTDIR" }
    if (e.kind === "link") {
      if (++hops > 40) return { code: "ELOOP" }
      parts.unshift(...path.resolve(cur, e.target).split("/").filter(Boolean))
      cur = "/"
      continue
    }
    cur = next
  }
  const denied = m.noSearch.get(cur)
  return denied === undefined ? { ok: cur } : { code: denied }
}

/** The real path of `p` (its last component not followed), or the error looking it up gives. */
const locate = (m: MemoryFs, op: string, p: string, write: boolean) =>
  Effect.suspend(() => {
    const parent = resolveParent(m, p)
    if ("code" in parent) return Effect.fail(new LinkOpError({ op, path: p, code: parent.code }))
    const denied = write ? m.noWrite.get(parent.ok) : undefined
    if (denied !== undefined) return Effect.fail(new LinkOpError({ op, path: p, code: denied }))
    return Effect.succeed(path.join(parent.ok, path.basename(p)))
  })

const fail = (op: string, p: string, code: string) => Effect.fail(new LinkOpError({ op, path: p, code }))

/** LinkOps over a MemoryFs, with the errno codes node would give. */
export const memoryLinkOps = (m: MemoryFs): LinkOps => ({
  lstat: (p) =>
    Effect.flatMap(locate(m, "lstat", p, false), (real) => {
      if (real === "/") return Effect.succeed("dir" as const)
      const e = m.entries.get(real)
      return e === undefined ? fail("lstat", p, "ENOENT") : Effect.succeed(e.kind)
    }),
  readlink: (p) =>
    Effect.flatMap(locate(m, "readlink", p, false), (real) => {
      const e = m.entries.get(real)
      if (e === undefined) return fail("readlink", p, "ENOENT")
      return e.kind === "link" ? Effect.succeed(e.target) : fail("readlink", p, "EINVAL")
    }),
  symlink: (text, p) =>
    Effect.flatMap(locate(m, "symlink", p, true), (real) => {
      if (real === "/" || m.entries.has(real)) return fail("symlink", p, "EEXIST")
      m.entries.set(real, { kind: "link", target: text })
      return Effect.void
    }),
  mkdir: (p, mode) =>
    Effect.flatMap(locate(m, "mkdir", p, true), (real) => {
      if (real === "/" || m.entries.has(real)) return fail("mkdir", p, "EEXIST")
      m.entries.set(real, { kind: "dir", mode })
      return Effect.void
    }),
  rename: (from, to) =>
    Effect.gen(function* () {
      const src = yield* locate(m, "rename", from, true)
      const dst = yield* locate(m, "rename", to, true)
      const moving = m.entries.get(src)
      if (moving === undefined) return yield* fail("rename", to, "ENOENT")
      if (moving.kind === "dir") return yield* fail("rename", to, "EXDEV") // folders: not needed by SymlinkFs
      if (m.entries.get(dst)?.kind === "dir") return yield* fail("rename", to, "EISDIR")
      m.entries.delete(src)
      m.entries.set(dst, moving)
    }),
})

/** SymlinkFs over an in-memory filesystem, for unit tests; inspect or seed `m.entries` directly. */
export const SymlinkFsMemory = (m: MemoryFs) => Layer.succeed(SymlinkFs, makeSymlinkFs(memoryLinkOps(m)))
