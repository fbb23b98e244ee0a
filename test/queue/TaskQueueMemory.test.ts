import { describe, expect, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { TaskQueueMemory } from "../../src/layers/TaskQueueMemory.js"
import { TaskQueue } from "../../src/services/TaskQueue.js"
import { taskContract } from "./contract.js"

taskContract("in-memory", () => TaskQueueMemory())

describe("TaskQueueMemory", () => {
  it.effect("a bad file seeded into pending/ ends in failed/ with the reason", () =>
    Effect.gen(function* () {
      const q = yield* TaskQueue
      expect((yield* q.listPending).map((t) => t.id)).toEqual(["ok"])
      const bad = Option.getOrThrow(yield* q.get("bad"))
      expect(bad.state).toBe("failed")
      expect(parseFooter(bad.text)?.footer.error).toContain("complexity_hint")
    }).pipe(
      Effect.provide(
        TaskQueueMemory([
          { id: "bad", text: "---\ncomplexity_hint: extreme\n---\nx\n" },
          { id: "ok", text: "fine\n" },
        ]),
      ),
    ),
  )
})
