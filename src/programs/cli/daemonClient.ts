import * as HttpApiClient from "@effect/platform/HttpApiClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Effect } from "effect"
import { AppConfig } from "../../services/AppConfig.js"
import { DaemonApi } from "../daemon/DaemonApiSpec.js"

/** The daemon's address as configured (api.host, api.port), for messages and the client. */
export const daemonAddress = Effect.map(AppConfig, (s) => {
  const host = s.api.host.includes(":") ? `[${s.api.host}]` : s.api.host
  return `http://${host}:${s.api.port}`
})

/** A typed client of the daemon's HTTP API (DaemonApi), with the bearer token when CCL_API_TOKEN is set. */
export const daemonClient = Effect.gen(function* () {
  const settings = yield* AppConfig
  const token = settings.api.token
  return yield* HttpApiClient.make(DaemonApi, {
    baseUrl: yield* daemonAddress,
    transformClient:
      token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token)),
  })
})
