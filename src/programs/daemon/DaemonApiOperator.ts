import * as HttpApiBuilder from "@effect/platform/HttpApiBuilder"
import { Effect } from "effect"
import type { Conflict, NotFound } from "./DaemonApiErrors.js"
import { ServerError } from "./DaemonApiErrors.js"
import type { CancelAnswer, OperatorAnswer } from "./DaemonApiSchemas.js"
import { DaemonApi } from "./DaemonApiSpec.js"

/** What the operator's endpoints do (TaskCancel.ts, OperatorControl.ts in the daemon). */
export interface OperatorHandler {
  readonly cancel: (
    id: string,
    reason: string | undefined,
  ) => Effect.Effect<CancelAnswer, NotFound | Conflict | ServerError>
  readonly clearCooldowns: (
    account: string | undefined,
  ) => Effect.Effect<OperatorAnswer, NotFound | ServerError>
  readonly pause: Effect.Effect<OperatorAnswer, ServerError>
  readonly resume: Effect.Effect<OperatorAnswer, ServerError>
}

const notBuilt = Effect.fail(new ServerError({ message: "this daemon runs without its dispatcher" }))

/** The API tested alone, without a dispatcher: 500 on every operator endpoint. */
export const operatorNotBuilt: OperatorHandler = {
  cancel: () => notBuilt,
  clearCooldowns: () => notBuilt,
  pause: notBuilt,
  resume: notBuilt,
}

/** The handlers of DaemonApi's "operator" group. */
export const operatorApiHandlers = (operator: OperatorHandler) =>
  HttpApiBuilder.group(DaemonApi, "operator", (handlers) =>
    handlers
      .handle("cancel", ({ path, payload }) => operator.cancel(path.id, payload.reason))
      .handle("clearCooldowns", ({ payload }) => operator.clearCooldowns(payload.account))
      .handle("pause", () => operator.pause)
      .handle("resume", () => operator.resume),
  )
