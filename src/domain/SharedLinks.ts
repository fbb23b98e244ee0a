import * as path from "node:path"

/** What `lstat` (plus `readlink` for a link) saw at a path; `error` is any other errno code (EACCES, ENOTDIR...). */
export type Seen =
  | { readonly kind: "missing" }
  | { readonly kind: "dir" }
  | { readonly kind: "file" }
  | { readonly kind: "other" }
  | { readonly kind: "link"; readonly text: string }
  | { readonly kind: "error"; readonly code: string }

/** What sits where something else belongs, as a problem reports it. */
export type Found =
  | { readonly kind: "missing" }
  | { readonly kind: "link-to"; readonly target: string }
  | { readonly kind: "regular file" }
  | { readonly kind: "special file" }
  | { readonly kind: "directory" }
  | { readonly kind: "dangling link" }
  | { readonly kind: "unreadable"; readonly code: string }
  | { readonly kind: "not writable"; readonly code: string }

/** One thing wrong with an account's shared links: what, where, what belongs there, and the fix. */
export interface LinkProblem {
  readonly account: string
  readonly path: string
  readonly found: Found
  /** `link to <sharedRoot>/<name>` or `directory`. */
  readonly expected: string
  /** The command that fixes it, for the user to run: ccl itself never moves or deletes data. */
  readonly fix: string
}

/** One required entry of one account home. */
export interface Entry {
  readonly account: string
  readonly home: string
  readonly sharedRoot: string
  readonly name: string
}

/** What an entry needs: problems ccl refuses to fix, and the creations that are safe to make. */
export interface Verdict {
  readonly problems: ReadonlyArray<LinkProblem>
  readonly createTarget: boolean
  readonly createLink: boolean
}

export const ENSURE = "ccl accounts ensure"

export const linkPathOf = (e: Entry) => path.join(e.home, e.name)
export const targetOf = (e: Entry) => path.resolve(e.sharedRoot, e.name)

/** The absolute path a link's text names: relative text is resolved against the folder holding the link. */
export const resolveLinkText = (linkPath: string, text: string) => path.resolve(path.dirname(linkPath), text)

export const foundText = (f: Found): string => {
  switch (f.kind) {
    case "link-to":
      return `link-to ${f.target}`
    case "unreadable":
    case "not writable":
      return `${f.kind}: ${f.code}`
    default:
      return f.kind
  }
}

const moveAside = (p: string) => `mv ${p} ${p}.bak && ${ENSURE}`

const permissionFix = (p: string, code: string) =>
  code === "EACCES" || code === "EPERM"
    ? `chmod u+rwx ${path.dirname(p)} && ${ENSURE}`
    : `ls -ld ${p} ${path.dirname(p)}, repair by hand, then ${ENSURE}`

/** A problem for a path that should be a directory (a home, a shared target) but is `seen`; undefined when fine. */
export const dirProblem = (account: string, p: string, seen: Seen): LinkProblem | undefined => {
  const base = { account, path: p, expected: "directory" }
  switch (seen.kind) {
    case "file":
      return { ...base, found: { kind: "regular file" }, fix: moveAside(p) }
    case "other":
      return { ...base, found: { kind: "special file" }, fix: moveAside(p) }
    case "error":
      return { ...base, found: { kind: "unreadable", code: seen.code }, fix: permissionFix(p, seen.code) }
    default:
      return undefined
  }
}

/** The filesystem refused to create something at `p`. */
export const writeProblem = (account: string, p: string, expected: string, code: string): LinkProblem => ({
  account,
  path: p,
  found: { kind: "not writable", code },
  expected,
  fix: permissionFix(p, code),
})

/** Decides what one entry needs from what sits at `<home>/<name>` and at `<sharedRoot>/<name>`. */
export const judgeEntry = (e: Entry, atLink: Seen, atTarget: Seen): Verdict => {
  const linkPath = linkPathOf(e)
  const target = targetOf(e)
  const refuse = (found: Found, fix: string): Verdict => ({
    problems: [{ account: e.account, path: linkPath, found, expected: `link to ${target}`, fix }],
    createTarget: false,
    createLink: false,
  })
  switch (atLink.kind) {
    case "dir":
      return refuse({ kind: "directory" }, moveAside(linkPath))
    case "file":
      return refuse({ kind: "regular file" }, moveAside(linkPath))
    case "other":
      return refuse({ kind: "special file" }, moveAside(linkPath))
    case "error":
      return refuse({ kind: "unreadable", code: atLink.code }, permissionFix(linkPath, atLink.code))
    case "link":
      if (resolveLinkText(linkPath, atLink.text) !== target) {
        return refuse({ kind: "link-to", target: atLink.text }, `ln -sfn ${target} ${linkPath}`)
      }
  }
  // The link is missing or already right: the shared target must be a directory (or a link the user placed).
  const bad = dirProblem(e.account, target, atTarget)
  if (bad !== undefined) return { problems: [bad], createTarget: false, createLink: false }
  return { problems: [], createTarget: atTarget.kind === "missing", createLink: atLink.kind === "missing" }
}

/** For a check that changes nothing: the creations `ensure` would make, reported as problems. */
export const pendingProblems = (e: Entry, v: Verdict): ReadonlyArray<LinkProblem> => {
  if (!v.createLink && !v.createTarget) return []
  const found: Found = v.createLink ? { kind: "missing" } : { kind: "dangling link" }
  return [{ account: e.account, path: linkPathOf(e), found, expected: `link to ${targetOf(e)}`, fix: ENSURE }]
}

const what = (f: Found): string => {
  switch (f.kind) {
    case "missing":
      return "is missing"
    case "link-to":
      return `is a link to ${f.target}`
    case "dangling link":
      return "is a dangling link (its target is missing)"
    case "unreadable":
      return `cannot be read (${f.code})`
    case "not writable":
      return `cannot be created (${f.code})`
    case "directory":
      return "is a real directory"
    default:
      return `is a ${f.kind}`
  }
}

const advice = (p: LinkProblem): string => {
  switch (p.found.kind) {
    case "link-to":
      return `ccl will not change it: check the data in ${p.found.target}, then run: ${p.fix}`
    case "directory":
    case "regular file":
    case "special file":
      return `ccl never moves data: keep what you need, then run: ${p.fix}`
    default:
      return `fix: ${p.fix}`
  }
}

/** One line for a person: account, where, what is there, what belongs there, how to fix it. */
export const renderProblem = (p: LinkProblem): string =>
  `${p.account}: ${p.path} ${what(p.found)}, expected a ${p.expected}; ${advice(p)}`
