import { describe, expect, it } from "@effect/vitest"
import {
  type DependencyState,
  dependencyError,
  describeWaiting,
  resolveDependencies,
} from "../../src/domain/TaskDependencies.js"

const where =
  (states: Record<string, DependencyState>) =>
  (id: string): DependencyState | undefined =>
    states[id]

describe("resolveDependencies (DESIGN.md 'Task file': depends_on)", () => {
  it("a task runs once every dependency is in done/", () => {
    const r = resolveDependencies([{ id: "b", dependsOn: ["a", "c"] }], where({ a: "done", c: "done" }))
    expect(r.get("b")).toEqual({ kind: "ready" })
  })

  it("waits for a dependency not done yet, and for an unknown id (it may be added later)", () => {
    const r = resolveDependencies([{ id: "b", dependsOn: ["a", "later"] }], where({ a: "active" }))
    expect(r.get("b")).toEqual({
      kind: "waiting",
      on: [
        { id: "a", state: "active" },
        { id: "later", state: undefined },
      ],
    })
    expect(describeWaiting(r.get("b")!)).toBe("waits for a (active), later (no such task yet)")
  })

  it("a dependency in failed/ fails the task, naming it", () => {
    const r = resolveDependencies(
      [{ id: "b", dependsOn: ["ok", "broken"] }],
      where({ ok: "done", broken: "failed" }),
    )
    expect(r.get("b")).toEqual({ kind: "dependency_failed", dependency: "broken" })
    expect(dependencyError(r.get("b")!)).toBe("dependency broken failed")
  })

  it("a cycle fails every task in it, each with the cycle through itself", () => {
    const tasks = [
      { id: "a", dependsOn: ["b"] },
      { id: "b", dependsOn: ["c"] },
      { id: "c", dependsOn: ["a"] },
      { id: "outside", dependsOn: ["a"] },
    ]
    const r = resolveDependencies(
      tasks,
      where({ a: "pending", b: "pending", c: "pending", outside: "pending" }),
    )
    expect(dependencyError(r.get("a")!)).toBe("dependency cycle a -> b -> c -> a")
    expect(dependencyError(r.get("b")!)).toBe("dependency cycle b -> c -> a -> b")
    expect(dependencyError(r.get("c")!)).toBe("dependency cycle c -> a -> b -> c")
    // A task that depends on a cycle is not on it: it waits (and fails once the cycle's tasks are in failed/).
    expect(r.get("outside")?.kind).toBe("waiting")
  })

  it("a task that depends on itself is a cycle of one", () => {
    const r = resolveDependencies([{ id: "self", dependsOn: ["self"] }], where({ self: "pending" }))
    expect(dependencyError(r.get("self")!)).toBe("dependency cycle self -> self")
  })

  it("two tasks waiting on the same one are no cycle", () => {
    const tasks = [
      { id: "x", dependsOn: ["base"] },
      { id: "y", dependsOn: ["base", "x"] },
    ]
    const r = resolveDependencies(tasks, where({ base: "pending", x: "pending", y: "pending" }))
    expect(r.get("x")?.kind).toBe("waiting")
    expect(r.get("y")?.kind).toBe("waiting")
  })
})
