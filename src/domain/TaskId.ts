import { Schema } from "effect"
import { isTaskId, TASK_ID } from "./TaskIdRule.js"

export { isTaskId, taskIdOfFileName, taskIdProblem } from "./TaskIdRule.js"

export const TaskId = Schema.String.pipe(
  Schema.filter((s) => isTaskId(s) || `task id must match ${TASK_ID.source}, got ${JSON.stringify(s)}`),
  Schema.brand("TaskId"),
)
export type TaskId = typeof TaskId.Type
