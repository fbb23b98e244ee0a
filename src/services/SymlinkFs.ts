import * as path from "node:path"
import { Context, Data, Effect } from "effect"
import {
  dirProblem,
  type Entry,
  judgeEntry,
  type LinkProblem,
  linkPathOf,
  pendingProblems,
  renderProblem,
  type Seen,
  targetOf,
  writeProblem,
} from "../domain/SharedLinks.js"

/** The production list of folders every account home shares (DESIGN.md "Accounts and shared state"). */
export const RequiredShared = ["session-env", "file-history", "projects"] as const

/** One filesystem call failed; `code` is the errno name (ENOENT, EACCES...). */
export class LinkOpError extends Data.TaggedError("LinkOpError")<{
  readonly op: string
  readonly path: string
  readonly code: string
}> {}

/** A home's shared links are wrong in ways ccl refuses to repair; what it could repair, it did. */
export class SharedLinksBroken extends Data.TaggedError("SharedLinksBroken")<{
  readonly account: string
  readonly home: string
  readonly problems: ReadonlyArray<LinkProblem>
  readonly createdLinks: ReadonlyArray<string>
  readonly createdDirs: ReadonlyArray<string>
}> {}

export interface EnsureReport {
  readonly account: string
  readonly home: string
  readonly createdLinks: ReadonlyArray<string>
  readonly createdDirs: ReadonlyArray<string>
}

export interface AccountHome {
  readonly name: string
  readonly home: string
}

/** The few filesystem calls SymlinkFs needs; a layer provides them (node:fs or in memory). Nothing deletes. */
export interface LinkOps {
  /** Never follows the last component. */
  readonly lstat: (p: string) => Effect.Effect<"dir" | "file" | "link" | "other", LinkOpError>
  readonly readlink: (p: string) => Effect.Effect<string, LinkOpError>
  readonly symlink: (text: string, p: string) => Effect.Effect<void, LinkOpError>
  /** One level, failing with EEXIST when something is there. */
  readonly mkdir: (p: string, mode: number) => Effect.Effect<void, LinkOpError>
  readonly rename: (from: string, to: string) => Effect.Effect<void, LinkOpError>
}

/** Account homes whose shared folders are symlinks to one shared target each. */
export class SymlinkFs extends Context.Tag("ccl/SymlinkFs")<
  SymlinkFs,
  {
    /** Creates missing links, target dirs and the home (0700); fails with every problem it refuses to fix. */
    readonly ensureForAccount: (
      home: string,
      sharedRoot: string,
      required: ReadonlyArray<string>,
      account?: string,
    ) => Effect.Effect<EnsureReport, SharedLinksBroken>
    /** Changes nothing; every problem of every home, missing links included. Empty means all good. */
    readonly validateAll: (
      homes: ReadonlyArray<AccountHome>,
      sharedRoot: string,
      required: ReadonlyArray<string>,
    ) => Effect.Effect<ReadonlyArray<LinkProblem>>
    /** One line for a person: what, where, how to fix (`renderProblem`). */
    readonly describe: (problem: LinkProblem) => string
  }
>() {}

const DIR_MODE = 0o700

/** The ensure/validate logic over any `LinkOps`: every layer shares it. */
export const makeSymlinkFs = (ops: LinkOps): Context.Tag.Service<SymlinkFs> => {
  const see = (p: string): Effect.Effect<Seen> =>
    ops.lstat(p).pipe(
      Effect.flatMap(
        (kind): Effect.Effect<Seen, LinkOpError> =>
          kind === "link"
            ? Effect.map(ops.readlink(p), (text) => ({ kind, text }))
            : Effect.succeed({ kind }),
      ),
      Effect.catchAll((e) =>
        Effect.succeed<Seen>(e.code === "ENOENT" ? { kind: "missing" } : { kind: "error", code: e.code }),
      ),
    )

  /** Makes `p` and its missing parents (0700); the folders it created, outermost first. */
  const ensureDir = (account: string, p: string): Effect.Effect<ReadonlyArray<string>, LinkProblem> =>
    Effect.flatMap(see(p), (seen): Effect.Effect<ReadonlyArray<string>, LinkProblem> => {
      if (seen.kind === "dir" || seen.kind === "link") return Effect.succeed([])
      if (seen.kind !== "missing") return Effect.fail(dirProblem(account, p, seen)!)
      const parent = path.dirname(p)
      return (parent === p ? Effect.succeed([]) : ensureDir(account, parent)).pipe(
        Effect.flatMap((made) =>
          ops.mkdir(p, DIR_MODE).pipe(
            Effect.as([...made, p]),
            Effect.catchAll((e) =>
              e.code === "EEXIST"
                ? ensureDir(account, p).pipe(Effect.as(made)) // raced with someone making it: judge again
                : Effect.fail(writeProblem(account, p, "directory", e.code)),
            ),
          ),
        ),
      )
    })

  /** A temp link beside the final one, renamed into place: never deletes whatever is there. */
  const createLink = (e: Entry): Effect.Effect<void, LinkProblem> => {
    const linkPath = linkPathOf(e)
    const target = targetOf(e)
    const tmp = path.join(e.home, `.${e.name}.ccl-tmp-${process.pid}`)
    const expected = `link to ${target}`
    const makeTmp = ops.symlink(target, tmp).pipe(
      Effect.catchAll((err) =>
        err.code !== "EEXIST"
          ? Effect.fail(writeProblem(e.account, linkPath, expected, err.code))
          : Effect.flatMap(see(tmp), (left) =>
              // A leftover of an earlier run with the same pid that already says the right thing is reused.
              left.kind === "link" && left.text === target
                ? Effect.void
                : Effect.fail(writeProblem(e.account, tmp, "nothing (a temporary name of ccl)", "EEXIST")),
            ),
      ),
    )
    return makeTmp.pipe(
      Effect.zipRight(ops.rename(tmp, linkPath)),
      Effect.mapError((err) =>
        err instanceof LinkOpError ? writeProblem(e.account, linkPath, expected, err.code) : err,
      ),
    )
  }

  const homeProblem = (account: string, home: string) =>
    Effect.map(see(home), (seen) => ({ seen, problem: dirProblem(account, home, seen) }))

  const ensureForAccount = (
    home: string,
    sharedRoot: string,
    required: ReadonlyArray<string>,
    account: string = home,
  ) =>
    Effect.gen(function* () {
      const problems: Array<LinkProblem> = []
      const createdLinks: Array<string> = []
      const createdDirs: Array<string> = []
      const failed = () => new SharedLinksBroken({ account, home, problems, createdLinks, createdDirs })
      const atHome = yield* homeProblem(account, home)
      if (atHome.problem !== undefined) {
        problems.push(atHome.problem)
        return yield* failed()
      }
      if (atHome.seen.kind === "missing") {
        const made = yield* Effect.either(ensureDir(account, home))
        if (made._tag === "Left") {
          problems.push(made.left)
          return yield* failed()
        }
        createdDirs.push(...made.right)
      }
      for (const name of required) {
        const entry: Entry = { account, home, sharedRoot, name }
        const verdict = judgeEntry(entry, yield* see(linkPathOf(entry)), yield* see(targetOf(entry)))
        problems.push(...verdict.problems)
        if (verdict.createTarget) {
          const made = yield* Effect.either(ensureDir(account, targetOf(entry)))
          if (made._tag === "Left") {
            problems.push(made.left)
            continue
          }
          createdDirs.push(...made.right)
        }
        if (verdict.createLink) {
          const linked = yield* Effect.either(createLink(entry))
          if (linked._tag === "Left") problems.push(linked.left)
          else createdLinks.push(linkPathOf(entry))
        }
      }
      if (problems.length > 0) return yield* failed()
      return { account, home, createdLinks, createdDirs } satisfies EnsureReport
    }).pipe(Effect.withSpan("SymlinkFs.ensureForAccount"))

  const validateAll = (
    homes: ReadonlyArray<AccountHome>,
    sharedRoot: string,
    required: ReadonlyArray<string>,
  ) =>
    Effect.gen(function* () {
      const problems: Array<LinkProblem> = []
      const seen = new Set<string>()
      // A shared target shows up once per home that needs it: report each path once.
      const add = (ps: ReadonlyArray<LinkProblem>) => {
        for (const p of ps) {
          if (seen.has(p.path)) continue
          seen.add(p.path)
          problems.push(p)
        }
      }
      for (const { name: account, home } of homes) {
        const atHome = yield* homeProblem(account, home)
        if (atHome.problem !== undefined) {
          add([atHome.problem])
          continue
        }
        for (const name of required) {
          const entry: Entry = { account, home, sharedRoot, name }
          const verdict = judgeEntry(entry, yield* see(linkPathOf(entry)), yield* see(targetOf(entry)))
          add(verdict.problems)
          add(pendingProblems(entry, verdict))
        }
      }
      return problems as ReadonlyArray<LinkProblem>
    }).pipe(Effect.withSpan("SymlinkFs.validateAll"))

  return { ensureForAccount, validateAll, describe: renderProblem }
}

/** `SymlinkFs.ensureForAccount` from the context. */
export const ensureForAccount = (
  home: string,
  sharedRoot: string,
  required: ReadonlyArray<string>,
  account?: string,
) => Effect.flatMap(SymlinkFs, (s) => s.ensureForAccount(home, sharedRoot, required, account))

/** `SymlinkFs.validateAll` from the context. */
export const validateAll = (
  homes: ReadonlyArray<AccountHome>,
  sharedRoot: string,
  required: ReadonlyArray<string>,
) => Effect.flatMap(SymlinkFs, (s) => s.validateAll(homes, sharedRoot, required))
