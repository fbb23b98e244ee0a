/** What the queue knows of a finished task to order it. */
export interface FinishedKey {
  readonly id: string
  /** When it was filed in done/ or failed/, epoch ms. */
  readonly modifiedAt: number
}

/** Newest filing first, then id: the order of a queue's recent results. */
export const compareFinished = (a: FinishedKey, b: FinishedKey): number =>
  b.modifiedAt - a.modifiedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * The `limit` most recently filed of `tasks`, newest first. One pass keeping the best `limit` (a dashboard wants 30
 * of tens of thousands): no sort of the whole list.
 */
export const newestFinished = <A extends FinishedKey>(tasks: Iterable<A>, limit: number): Array<A> => {
  const k = Math.max(0, Math.floor(limit))
  const top: Array<A> = []
  if (k === 0) return top
  for (const t of tasks) {
    if (top.length === k && compareFinished(t, top[k - 1]!) >= 0) continue
    let i = top.length
    while (i > 0 && compareFinished(t, top[i - 1]!) < 0) i--
    top.splice(i, 0, t)
    if (top.length > k) top.pop()
  }
  return top
}
