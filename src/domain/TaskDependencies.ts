// `depends_on` (DESIGN.md "Task file"): a task runs once every task it names is in done/. A dependency in failed/
// fails it; an unknown id waits (it may be added later); a cycle fails every task in it.

export type DependencyState = "pending" | "active" | "done" | "failed" | "delegated"

/** What a pending task with dependencies may do now. */
export type Readiness =
  | { readonly kind: "ready" }
  | {
      readonly kind: "waiting"
      /** Each dependency not yet done, with where it is (undefined: no such task yet). */
      readonly on: ReadonlyArray<{ readonly id: string; readonly state: DependencyState | undefined }>
    }
  | { readonly kind: "dependency_failed"; readonly dependency: string }
  | { readonly kind: "dependency_cycle"; readonly cycle: ReadonlyArray<string> }

export interface Dependent {
  readonly id: string
  readonly dependsOn: ReadonlyArray<string>
}

/** The shortest way from `from` back to itself through `edges`, inside `within`, as `[from, ..., from]`. */
const cycleThrough = (
  from: string,
  edges: ReadonlyMap<string, ReadonlyArray<string>>,
  within: ReadonlySet<string>,
): ReadonlyArray<string> | undefined => {
  const previous = new Map<string, string>()
  const queue = [from]
  while (queue.length > 0) {
    const at = queue.shift()!
    for (const next of edges.get(at) ?? []) {
      if (!within.has(next)) continue
      if (next === from) {
        const path = [from]
        for (let p: string | undefined = at; p !== from && p !== undefined; p = previous.get(p)) path.push(p)
        return [from, ...path.slice(1).reverse(), from]
      }
      if (previous.has(next)) continue
      previous.set(next, at)
      queue.push(next)
    }
  }
  return undefined
}

/** Tasks on a dependency cycle among `tasks` (pending ones), each with a cycle through it. */
export const dependencyCycles = (
  tasks: ReadonlyArray<Dependent>,
): ReadonlyMap<string, ReadonlyArray<string>> => {
  const edges = new Map(tasks.map((t) => [t.id, t.dependsOn] as const))
  // Only tasks that can reach themselves are on a cycle; the graph is small (pending tasks with dependencies).
  const ids = new Set(edges.keys())
  const out = new Map<string, ReadonlyArray<string>>()
  for (const id of ids) {
    const cycle = cycleThrough(id, edges, ids)
    if (cycle !== undefined) out.set(id, cycle)
  }
  return out
}

/** Readiness of each task in `tasks`, given where every other task is (`stateOf`). */
export const resolveDependencies = (
  tasks: ReadonlyArray<Dependent>,
  stateOf: (id: string) => DependencyState | undefined,
): ReadonlyMap<string, Readiness> => {
  const cycles = dependencyCycles(tasks)
  const out = new Map<string, Readiness>()
  for (const t of tasks) {
    const cycle = cycles.get(t.id)
    if (cycle !== undefined) {
      out.set(t.id, { kind: "dependency_cycle", cycle })
      continue
    }
    const states = t.dependsOn.map((id) => ({ id, state: stateOf(id) }))
    const failed = states.find((s) => s.state === "failed")
    if (failed !== undefined) out.set(t.id, { kind: "dependency_failed", dependency: failed.id })
    else {
      const on = states.filter((s) => s.state !== "done")
      out.set(t.id, on.length === 0 ? { kind: "ready" } : { kind: "waiting", on })
    }
  }
  return out
}

/** The footer's `error` for a task that cannot run because of its dependencies. */
export const dependencyError = (r: Readiness): string | undefined =>
  r.kind === "dependency_failed"
    ? `dependency ${r.dependency} failed`
    : r.kind === "dependency_cycle"
      ? `dependency cycle ${r.cycle.join(" -> ")}`
      : undefined

/** "waits for build (pending), lint (no such task yet)" for `ccl queue list`. */
export const describeWaiting = (r: Readiness): string | undefined =>
  r.kind !== "waiting"
    ? undefined
    : `waits for ${r.on.map((d) => `${d.id} (${d.state ?? "no such task yet"})`).join(", ")}`
