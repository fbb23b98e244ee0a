/** One benchmark's outcome, as written to bench/results.json. */
export interface BenchResult {
  readonly name: string
  /** Headline figures, each with its unit in the key (ms, ratio, mb...). */
  readonly figures: Readonly<Record<string, number>>
  readonly budget: string
  readonly withinBudget: boolean
  /** What the figure is limited by, in one line. */
  readonly note: string
}
