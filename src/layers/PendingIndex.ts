import { closeSync, fstatSync, openSync, readFileSync } from "node:fs"
import { MARKER_SUFFIX } from "../domain/DelegationMarker.js"
import { comparePending, insertSorted } from "../domain/PendingOrder.js"
import { taskIdOfFileName } from "../domain/TaskId.js"
import type { PendingTask } from "../services/TaskQueue.js"

/**
 * What the queue knows of pending/ between scans. Files there are never rewritten in place (they arrive by
 * rename), so a name read once needs no second read: only names new since the last look are read.
 */
export class PendingIndex {
  private readonly entries = new Map<string, PendingTask>()
  private ordered: Array<PendingTask> = []
  private readonly delegated = new Set<string>()
  private readonly changed = new Set<string>()
  /** When the last full listing was reconciled (ms, monotonic); 0 = never. */
  lastFullScan = 0

  has(id: string): boolean {
    return this.entries.has(id)
  }

  add(task: PendingTask): void {
    if (this.entries.has(task.id)) this.forget(task.id)
    this.entries.set(task.id, task)
    insertSorted(this.ordered, task)
  }

  /** Adds many at once: one sort instead of n sorted inserts (a cold start over a large queue). */
  addMany(tasks: ReadonlyArray<PendingTask>): void {
    if (tasks.length < 64) {
      for (const t of tasks) this.add(t)
      return
    }
    for (const t of tasks) {
      if (this.entries.has(t.id)) this.forget(t.id)
      this.entries.set(t.id, t)
      this.ordered.push(t)
    }
    this.ordered.sort(comparePending)
  }

  forget(id: string): void {
    if (!this.entries.delete(id)) return
    const at = this.ordered.findIndex((t) => t.id === id)
    if (at !== -1) this.ordered.splice(at, 1)
  }

  setDelegated(id: string, on: boolean): void {
    if (on) this.delegated.add(id)
    else this.delegated.delete(id)
  }

  /** A name in pending/ changed (a watch event): looked at on the next incremental update. */
  noteChanged(name: string): void {
    this.changed.add(name)
  }

  takeChanged(): Array<string> {
    const names = [...this.changed]
    this.changed.clear()
    return names
  }

  /** Applies a full listing of pending/; returns the `[name, id]` of task files not read yet. */
  reconcile(names: ReadonlyArray<string>, now: number): Array<readonly [string, string]> {
    const present = new Set<string>()
    const fresh: Array<readonly [string, string]> = []
    this.delegated.clear()
    for (const name of names) {
      if (name.endsWith(MARKER_SUFFIX)) {
        this.delegated.add(name.slice(0, -MARKER_SUFFIX.length))
        continue
      }
      const id = taskIdOfFileName(name)
      if (id === undefined) continue
      present.add(id)
      if (!this.entries.has(id)) fresh.push([name, id])
    }
    if (this.entries.size > present.size - fresh.length) {
      for (const id of this.entries.keys()) if (!present.has(id)) this.entries.delete(id)
      this.ordered = this.ordered.filter((t) => this.entries.has(t.id))
    }
    this.lastFullScan = now
    return fresh
  }

  /** Pending tasks in dispatch order, delegated ones left out. */
  list(): ReadonlyArray<PendingTask> {
    return this.delegated.size === 0
      ? this.ordered.slice()
      : this.ordered.filter((t) => !this.delegated.has(t.id))
  }
}

/**
 * Reads a small file and its mtime synchronously; undefined when it is gone (claimed meanwhile).
 * Synchronous on purpose: through the thread pool, each small file costs four round trips (~0.1 ms here)
 * against ~0.02 ms read directly (BENCHMARKS.md, queue-scan and reaper). Batch callers yield between batches.
 */
export const readTaskFileSync = (
  p: string,
): { readonly text: string; readonly mtimeMs: number } | undefined => {
  let fd: number
  try {
    fd = openSync(p, "r")
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined
    throw e
  }
  try {
    const mtimeMs = fstatSync(fd).mtimeMs
    return { text: readFileSync(fd, "utf8"), mtimeMs }
  } finally {
    closeSync(fd)
  }
}
