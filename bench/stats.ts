/** Percentile (nearest rank) of a sample, in the sample's unit. */
export const percentile = (values: ReadonlyArray<number>, p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[rank]!
}

export const median = (values: ReadonlyArray<number>): number => percentile(values, 50)

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits

/** Milliseconds taken by `f`. */
export const timeMs = async (f: () => unknown): Promise<number> => {
  const start = process.hrtime.bigint()
  await f()
  return Number(process.hrtime.bigint() - start) / 1e6
}
