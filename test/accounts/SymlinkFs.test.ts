// The same SymlinkFs cases against the real filesystem (a temp dir) and the in-memory one.
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { foundText, type LinkProblem } from "../../src/domain/SharedLinks.js"
import { makeMemoryFs, SymlinkFsMemory } from "../../src/layers/SymlinkFsMemory.js"
import { SymlinkFsNode } from "../../src/layers/SymlinkFsNode.js"
import {
  ensureForAccount,
  RequiredShared,
  type SymlinkFs,
  validateAll,
} from "../../src/services/SymlinkFs.js"
import { tempDir } from "../support/tempDir.js"

/** A filesystem to arrange and inspect around the service under test. */
interface World {
  readonly root: string
  readonly layer: Layer.Layer<SymlinkFs>
  readonly mkdir: (p: string) => void
  readonly write: (p: string, data: string) => void
  readonly symlink: (text: string, p: string) => void
  readonly readlink: (p: string) => string
  readonly kind: (p: string) => "dir" | "file" | "link" | "missing"
  readonly mode: (p: string) => number
  /** Every entry under `p` with its content or link text: equal snapshots mean byte-identical trees. */
  readonly snapshot: (p: string) => ReadonlyArray<string>
  /** Like chmod 0500 (`search`: 0000) on a folder; undone by `restore`. */
  readonly deny: (dir: string, what: "write" | "search") => void
  readonly restore: () => void
}

const realWorld = (): World => {
  const root = fs.realpathSync(tempDir("ccl-links-"))
  const denied: Array<string> = []
  const snapshot = (p: string): Array<string> => {
    const st = fs.lstatSync(p, { throwIfNoEntry: false })
    const rel = path.relative(root, p)
    if (st === undefined) return []
    if (st.isSymbolicLink()) return [`${rel} link ${fs.readlinkSync(p)}`]
    if (st.isFile()) return [`${rel} file ${fs.readFileSync(p, "base64")}`]
    return [
      `${rel} dir`,
      ...fs
        .readdirSync(p)
        .sort()
        .flatMap((n) => snapshot(path.join(p, n))),
    ]
  }
  return {
    root,
    layer: SymlinkFsNode,
    mkdir: (p) => fs.mkdirSync(p, { recursive: true }),
    write: (p, data) => fs.writeFileSync(p, data),
    symlink: (text, p) => fs.symlinkSync(text, p),
    readlink: (p) => fs.readlinkSync(p),
    kind: (p) => {
      const st = fs.lstatSync(p, { throwIfNoEntry: false })
      return st === undefined ? "missing" : st.isSymbolicLink() ? "link" : st.isDirectory() ? "dir" : "file"
    },
    mode: (p) => fs.lstatSync(p).mode & 0o777,
    snapshot,
    deny: (dir, what) => {
      denied.push(dir)
      fs.chmodSync(dir, what === "write" ? 0o500 : 0o000)
    },
    restore: () => {
      for (const dir of denied.splice(0)) fs.chmodSync(dir, 0o700)
    },
  }
}

const memoryWorld = (): World => {
  const m = makeMemoryFs([["/mem", { kind: "dir", mode: 0o755 }]])
  const kind = (p: string) => m.entries.get(p)?.kind ?? "missing"
  return {
    root: "/mem",
    layer: SymlinkFsMemory(m),
    mkdir: (p) => {
      for (let cur = p; !m.entries.has(cur) && cur !== "/"; cur = path.dirname(cur)) {
        m.entries.set(cur, { kind: "dir", mode: 0o755 })
      }
    },
    write: (p, data) => void m.entries.set(p, { kind: "file", data }),
    symlink: (text, p) => void m.entries.set(p, { kind: "link", target: text }),
    readlink: (p) => {
      const e = m.entries.get(p)
      if (e?.kind !== "link") throw new Error(`${p} is not a link`)
      return e.target
    },
    kind,
    mode: (p) => {
      const e = m.entries.get(p)
      return e?.kind === "dir" ? (e.mode ?? 0o777) : 0o777
    },
    snapshot: (p) =>
      [...m.entries]
        .filter(([k]) => k === p || k.startsWith(`${p}/`))
        .map(([k, e]) => {
          const rel = path.relative("/mem", k)
          return e.kind === "dir"
            ? `${rel} dir`
            : e.kind === "file"
              ? `${rel} file ${e.data}`
              : `${rel} link ${e.target}`
        })
        .sort(),
    deny: (dir, what) => void (what === "write" ? m.noWrite : m.noSearch).set(dir, "EACCES"),
    restore: () => {
      m.noWrite.clear()
      m.noSearch.clear()
    },
  }
}

const isRoot = process.getuid?.() === 0

const found = (problems: ReadonlyArray<LinkProblem>) =>
  problems.map((p) => `${p.account} ${p.path} ${foundText(p.found)}`).sort()

const contract = (name: string, makeWorld: () => World, permissionsEnforced: boolean) =>
  describe(`SymlinkFs: ${name}`, () => {
    /** A world with `<root>/homes/main` (created) and `<root>/shared` (not created). */
    const setup = () => {
      const w = makeWorld()
      const home = path.join(w.root, "homes", "main")
      const shared = path.join(w.root, "shared")
      w.mkdir(home)
      const run = <A, E>(effect: Effect.Effect<A, E, SymlinkFs>) =>
        effect.pipe(Effect.provide(w.layer), Effect.ensuring(Effect.sync(w.restore)))
      return { w, home, shared, run }
    }
    const ensure = (home: string, shared: string) => ensureForAccount(home, shared, RequiredShared, "main")

    it.effect("missing links: created, with their shared targets", () => {
      const { w, home, shared, run } = setup()
      return run(
        Effect.gen(function* () {
          const report = yield* ensure(home, shared)
          expect(report.createdLinks).toEqual(RequiredShared.map((n) => path.join(home, n)))
          expect(report.createdDirs).toEqual([shared, ...RequiredShared.map((n) => path.join(shared, n))])
          for (const n of RequiredShared) {
            expect(w.kind(path.join(home, n))).toBe("link")
            expect(w.readlink(path.join(home, n))).toBe(path.join(shared, n))
            expect(w.kind(path.join(shared, n))).toBe("dir")
          }
          expect(w.snapshot(home).filter((l) => l.includes("ccl-tmp"))).toEqual([])
          expect(yield* validateAll([{ name: "main", home }], shared, RequiredShared)).toEqual([])
        }),
      )
    })

    it.effect("missing target dirs: created, an existing target's data untouched", () => {
      const { w, home, shared, run } = setup()
      w.mkdir(path.join(shared, "projects", "p1"))
      w.write(path.join(shared, "projects", "p1", "conv.jsonl"), "{}\n")
      const before = w.snapshot(path.join(shared, "projects"))
      return run(
        Effect.gen(function* () {
          const report = yield* ensure(home, shared)
          expect(report.createdDirs).toEqual([
            path.join(shared, "session-env"),
            path.join(shared, "file-history"),
          ])
          expect(w.snapshot(path.join(shared, "projects"))).toEqual(before)
        }),
      )
    })

    it.effect("correct links: accepted, nothing created, no problem", () => {
      const { w, home, shared, run } = setup()
      for (const n of RequiredShared) {
        w.mkdir(path.join(shared, n))
        w.symlink(path.join(shared, n), path.join(home, n))
      }
      return run(
        Effect.gen(function* () {
          const report = yield* ensure(home, shared)
          expect(report.createdLinks).toEqual([])
          expect(report.createdDirs).toEqual([])
          expect(yield* validateAll([{ name: "main", home }], shared, RequiredShared)).toEqual([])
        }),
      )
    })

    it.effect("a divergent link: refused and left unchanged, the other links still made", () => {
      const { w, home, shared, run } = setup()
      const elsewhere = path.join(w.root, "elsewhere", "projects")
      w.mkdir(elsewhere)
      w.symlink(elsewhere, path.join(home, "projects"))
      return run(
        Effect.gen(function* () {
          const error = yield* Effect.flip(ensure(home, shared))
          expect(error._tag).toBe("SharedLinksBroken")
          expect(error.problems).toEqual([
            {
              account: "main",
              path: path.join(home, "projects"),
              found: { kind: "link-to", target: elsewhere },
              expected: `link to ${path.join(shared, "projects")}`,
              fix: `ln -sfn ${path.join(shared, "projects")} ${path.join(home, "projects")}`,
            },
          ])
          expect(error.createdLinks).toEqual([
            path.join(home, "session-env"),
            path.join(home, "file-history"),
          ])
          expect(w.readlink(path.join(home, "projects"))).toBe(elsewhere)
        }),
      )
    })

    it.effect("a regular file where a link belongs: refused, byte-identical", () => {
      const { w, home, shared, run } = setup()
      const file = path.join(home, "file-history")
      w.write(file, "precious\u0000bytes\n")
      const before = w.snapshot(home)
      return run(
        Effect.gen(function* () {
          const error = yield* Effect.flip(ensure(home, shared))
          expect(found(error.problems)).toEqual([`main ${file} regular file`])
          expect(error.problems[0]!.fix).toBe(`mv ${file} ${file}.bak && ccl accounts ensure`)
          expect(w.kind(file)).toBe("file")
          expect(w.snapshot(home).filter((l) => l.startsWith(path.relative(w.root, file)))).toEqual(
            before.filter((l) => l.startsWith(path.relative(w.root, file))),
          )
        }),
      )
    })

    it.effect("a real directory with data: refused, contents and listing identical", () => {
      const { w, home, shared, run } = setup()
      const dir = path.join(home, "projects")
      w.mkdir(path.join(dir, "-home-me-src", "sub"))
      w.write(path.join(dir, "-home-me-src", "a.jsonl"), '{"a":1}\n')
      w.write(path.join(dir, "-home-me-src", "sub", "b.bin"), "\u0001\u0002")
      const before = w.snapshot(dir)
      return run(
        Effect.gen(function* () {
          const error = yield* Effect.flip(ensure(home, shared))
          expect(error.problems).toMatchObject([
            { path: dir, found: { kind: "directory" }, fix: `mv ${dir} ${dir}.bak && ccl accounts ensure` },
          ])
          expect(w.snapshot(dir)).toEqual(before)
          const problems = yield* validateAll([{ name: "main", home }], shared, RequiredShared)
          expect(found(problems)).toContain(`main ${dir} directory`)
          expect(w.snapshot(dir)).toEqual(before)
        }),
      )
    })

    it.effect("a dangling link to the right target: accepted, the target created", () => {
      const { w, home, shared, run } = setup()
      w.mkdir(shared)
      w.symlink(path.join(shared, "projects"), path.join(home, "projects"))
      return run(
        Effect.gen(function* () {
          const before = yield* validateAll([{ name: "main", home }], shared, RequiredShared)
          expect(found(before)).toContain(`main ${path.join(home, "projects")} dangling link`)
          const report = yield* ensure(home, shared)
          expect(report.createdLinks).not.toContain(path.join(home, "projects"))
          expect(report.createdDirs).toContain(path.join(shared, "projects"))
          expect(w.kind(path.join(shared, "projects"))).toBe("dir")
          expect(w.readlink(path.join(home, "projects"))).toBe(path.join(shared, "projects"))
        }),
      )
    })

    it.effect("relative link text that resolves to the target: accepted as is", () => {
      const { w, home, shared, run } = setup()
      for (const n of RequiredShared) {
        w.mkdir(path.join(shared, n))
        w.symlink(path.relative(home, path.join(shared, n)), path.join(home, n))
      }
      return run(
        Effect.gen(function* () {
          expect(yield* validateAll([{ name: "main", home }], shared, RequiredShared)).toEqual([])
          const report = yield* ensure(home, shared)
          expect(report.createdLinks).toEqual([])
          expect(w.readlink(path.join(home, "projects"))).toBe("../../shared/projects")
        }),
      )
    })

    it.effect("two homes with mixed problems: validateAll reports all of them and changes nothing", () => {
      const { w, home, shared, run } = setup()
      const backup = path.join(w.root, "homes", "backup")
      const gone = path.join(w.root, "homes", "gone")
      for (const n of RequiredShared) w.mkdir(path.join(shared, n))
      w.mkdir(path.join(home, "projects"))
      w.symlink("/elsewhere", path.join(home, "session-env"))
      w.symlink(path.join(shared, "file-history"), path.join(home, "file-history"))
      w.mkdir(backup)
      w.write(path.join(backup, "file-history"), "x")
      const before = w.snapshot(w.root)
      return run(
        Effect.gen(function* () {
          const problems = yield* validateAll(
            [
              { name: "main", home },
              { name: "backup", home: backup },
              { name: "gone", home: gone },
            ],
            shared,
            RequiredShared,
          )
          expect(found(problems)).toEqual(
            [
              `main ${path.join(home, "projects")} directory`,
              `main ${path.join(home, "session-env")} link-to /elsewhere`,
              `backup ${path.join(backup, "file-history")} regular file`,
              `backup ${path.join(backup, "session-env")} missing`,
              `backup ${path.join(backup, "projects")} missing`,
              ...RequiredShared.map((n) => `gone ${path.join(gone, n)} missing`),
            ].sort(),
          )
          expect(problems.find((p) => p.found.kind === "missing")!.fix).toBe("ccl accounts ensure")
          expect(w.snapshot(w.root)).toEqual(before)
        }),
      )
    })

    it.effect.skipIf(permissionsEnforced && isRoot)("a home ccl may not write: reported, not a crash", () => {
      const { w, home, shared, run } = setup()
      w.deny(home, "write")
      return run(
        Effect.gen(function* () {
          const error = yield* Effect.flip(ensure(home, shared))
          expect(found(error.problems)).toEqual(
            RequiredShared.map((n) => `main ${path.join(home, n)} not writable: EACCES`).sort(),
          )
          expect(error.problems[0]!.fix).toBe(`chmod u+rwx ${home} && ccl accounts ensure`)
          expect(error.createdLinks).toEqual([])
          w.restore()
          expect(w.snapshot(home)).toEqual([`${path.relative(w.root, home)} dir`])
        }),
      )
    })

    it.effect.skipIf(permissionsEnforced && isRoot)("a home ccl may not search: unreadable, reported", () => {
      const { w, home, shared, run } = setup()
      w.deny(home, "search")
      return run(
        Effect.gen(function* () {
          const problems = yield* validateAll([{ name: "main", home }], shared, RequiredShared)
          expect(found(problems)).toEqual(
            RequiredShared.map((n) => `main ${path.join(home, n)} unreadable: EACCES`).sort(),
          )
          const error = yield* Effect.flip(ensure(home, shared))
          expect(error.problems).toHaveLength(3)
        }),
      )
    })

    it.effect("idempotent: a second ensure changes nothing", () => {
      const { w, home, shared, run } = setup()
      return run(
        Effect.gen(function* () {
          yield* ensure(home, shared)
          const after = w.snapshot(w.root)
          const again = yield* ensure(home, shared)
          expect(again.createdLinks).toEqual([])
          expect(again.createdDirs).toEqual([])
          expect(w.snapshot(w.root)).toEqual(after)
        }),
      )
    })

    it.effect("a missing home and shared root are created 0700", () => {
      const { w, shared, run } = setup()
      const fresh = path.join(w.root, "homes", "new", "deep")
      return run(
        Effect.gen(function* () {
          const report = yield* ensure(fresh, shared)
          expect(report.createdDirs.slice(0, 2)).toEqual([path.dirname(fresh), fresh])
          for (const d of report.createdDirs) expect(w.mode(d)).toBe(0o700)
          expect(report.createdDirs).toContain(path.join(shared, "projects"))
          expect(w.kind(path.join(fresh, "projects"))).toBe("link")
        }),
      )
    })

    it.effect("a home that is a regular file: one problem, nothing created", () => {
      const { w, shared, run } = setup()
      const fileHome = path.join(w.root, "homes", "file")
      w.write(fileHome, "not a dir")
      return run(
        Effect.gen(function* () {
          const error = yield* Effect.flip(ensure(fileHome, shared))
          expect(error.problems).toMatchObject([
            { path: fileHome, found: { kind: "regular file" }, expected: "directory" },
          ])
          expect(w.kind(shared)).toBe("missing")
        }),
      )
    })
  })

contract("node:fs in a temp dir", realWorld, true)
contract("in memory", memoryWorld, false)
