import * as HttpApi from "@effect/platform/HttpApi"
import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"
import { HookRecord } from "../../domain/HookRecord.js"
import { PROMETHEUS_CONTENT_TYPE } from "../../domain/PrometheusText.js"
import { AccountsGroup } from "./DaemonApiAccountsSpec.js"
import {
  BadRequest,
  Conflict,
  errorJson,
  Forbidden,
  NotFound,
  ServerError,
  Unauthorized,
} from "./DaemonApiErrors.js"
import {
  CancelAnswer,
  CancelRequest,
  DaemonStatus,
  DelegationView,
  EmptyRequest,
  FailoverAnswer,
  FailoverClearRequest,
  FailoverRequest,
  OperatorAnswer,
  SessionView,
  TaskSummary,
  TasksQuery,
  WatchdogStatus,
} from "./DaemonApiSchemas.js"
import { TasksGroup } from "./DaemonApiTasksSpec.js"

/** Read-only views of the daemon. */
export class StatusGroup extends HttpApiGroup.make("status")
  .add(HttpApiEndpoint.get("status", "/api/status").addSuccess(DaemonStatus))
  .add(HttpApiEndpoint.get("sessions", "/api/sessions").addSuccess(Schema.Array(SessionView)))
  .add(
    HttpApiEndpoint.get("tasks", "/api/tasks").setUrlParams(TasksQuery).addSuccess(Schema.Array(TaskSummary)),
  )
  .add(HttpApiEndpoint.get("delegated", "/api/delegated/status").addSuccess(DelegationView))
  .add(HttpApiEndpoint.get("watchdog", "/watchdog/status").addSuccess(WatchdogStatus)) {}

/** What sessions and operators tell the daemon. */
export class ControlGroup extends HttpApiGroup.make("control")
  .add(
    HttpApiEndpoint.post("hooks", "/api/hooks")
      .setPayload(
        HookRecord.annotations({
          message: () => ({
            message: "not a hook event: { event, ccl_session, received_at, payload }",
            override: true,
          }),
        }),
      )
      .addSuccess(HttpApiSchema.NoContent),
  )
  .add(
    HttpApiEndpoint.post("failover", "/api/failover")
      .setPayload(FailoverRequest)
      .addSuccess(FailoverAnswer)
      .addError(FailoverAnswer, { status: 409 })
      .addError(FailoverAnswer, { status: 501 }),
  ) {}

/** What the operator does to tasks and to dispatching (`ccl queue cancel`, `ccl failover clear|pause|resume`). */
export class OperatorGroup extends HttpApiGroup.make("operator")
  .add(
    HttpApiEndpoint.post("cancel", "/api/tasks/:id/cancel")
      .setPath(Schema.Struct({ id: Schema.String }))
      .setPayload(CancelRequest)
      .addSuccess(CancelAnswer)
      .addError(errorJson(Conflict), { status: 409 }),
  )
  .add(
    HttpApiEndpoint.post("clearCooldowns", "/api/failover/clear")
      .setPayload(FailoverClearRequest)
      .addSuccess(OperatorAnswer),
  )
  .add(
    HttpApiEndpoint.post("pause", "/api/dispatch/pause").setPayload(EmptyRequest).addSuccess(OperatorAnswer),
  )
  .add(
    HttpApiEndpoint.post("resume", "/api/dispatch/resume")
      .setPayload(EmptyRequest)
      .addSuccess(OperatorAnswer),
  ) {}

/** Prometheus's scrape (text format 0.0.4); the token only with api.metrics_token (DaemonApiGuard.ts). */
export class MetricsGroup extends HttpApiGroup.make("metrics").add(
  HttpApiEndpoint.get("metrics", "/metrics").addSuccess(
    HttpApiSchema.Text({ contentType: PROMETHEUS_CONTENT_TYPE }),
  ),
) {}

/**
 * The daemon's HTTP API (DESIGN.md "HTTP API"). Every endpoint may also answer 400, 401 (token), 403 (Host),
 * 404 and 500 with `{ error }`.
 */
export class DaemonApi extends HttpApi.make("ccl-daemon")
  .add(StatusGroup)
  .add(ControlGroup)
  .add(OperatorGroup)
  .add(AccountsGroup)
  .add(TasksGroup)
  .add(MetricsGroup)
  .addError(errorJson(BadRequest), { status: 400 })
  .addError(errorJson(Unauthorized), { status: 401 })
  .addError(errorJson(Forbidden), { status: 403 })
  .addError(errorJson(NotFound), { status: 404 })
  .addError(errorJson(ServerError), { status: 500 }) {}
