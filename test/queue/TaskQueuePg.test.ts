import { Layer } from "effect"
import { TaskQueuePg } from "../../src/layers/TaskQueuePg.js"
import { describePg, pgDatabase } from "../support/pgTest.js"
import { taskContract } from "./contract.js"

/** A queue on a database of its own: each test starts from an empty queue, as the file and memory runs do. */
export const pgQueue = (name: string, over: Partial<Parameters<typeof TaskQueuePg>[0]> = {}) =>
  TaskQueuePg({ url: pgDatabase(name), node: "node-a", leaseMs: 60_000, maxAttempts: 3, ...over })

describePg("TaskQueuePg", () => {
  taskContract("postgres", () => Layer.orDie(pgQueue("contract")))
})
