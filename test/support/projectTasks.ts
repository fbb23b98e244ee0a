// Tasks in a daemon project (daemonProject.ts) the way an operator adds them: a file, then `ccl queue add FILE`.

import { mkdirSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { expect } from "@effect/vitest"
import { Effect } from "effect"
import type { daemonProject } from "./daemonProject.js"
import { eventually } from "./tmux.js"

export type Project = Awaited<ReturnType<typeof daemonProject>>

/** Writes `<dir>/drafts/<id>.md` and adds it with the built CLI; the add must succeed. */
export const addTaskFile = async (p: Project, id: string, text: string) => {
  const dir = path.join(p.dir, "drafts")
  mkdirSync(dir, { recursive: true })
  writeFileSync(path.join(dir, `${id}.md`), text)
  const r = await p.ccl(["queue", "add", path.join(dir, `${id}.md`)])
  expect(r.code, r.stderr).toBe(0)
}

/** Waits until `check` holds (the daemon's log explains a timeout). */
export const waitUntil = (p: Project, check: () => boolean, ms = 60_000) =>
  Effect.promise(() => eventually(() => (check() ? true : undefined), ms, p.log))
