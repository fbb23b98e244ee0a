/** What the queue knows of a pending task to order it. */
export interface PendingKey {
  readonly id: string
  readonly priority: number
  /** Enqueue time, epoch ms (the file's mtime). */
  readonly enqueuedAt: number
}

/** Queue order: priority (higher first), then enqueue time (older first), then id. */
export const comparePending = (a: PendingKey, b: PendingKey): number =>
  b.priority - a.priority || a.enqueuedAt - b.enqueuedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** Inserts `item` into an array already sorted by `comparePending`, keeping it sorted. */
export const insertSorted = <A extends PendingKey>(sorted: Array<A>, item: A): void => {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (comparePending(sorted[mid]!, item) <= 0) lo = mid + 1
    else hi = mid
  }
  sorted.splice(lo, 0, item)
}
