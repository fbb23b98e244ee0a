import * as Http from "node:http"
import type * as HttpServer from "@effect/platform/HttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { Effect, type Scope } from "effect"

/**
 * An HTTP server on Node bound to host:port in the current scope. Node's close() waits for open connections
 * (a hung or keep-alive request holds one): the finalizer stops accepting, then drops every connection, so
 * closing the scope is prompt.
 */
export const listenOnNode = (
  host: string,
  port: number,
): Effect.Effect<HttpServer.HttpServer, ServeError, Scope.Scope> =>
  Effect.gen(function* () {
    const nodeServer = Http.createServer()
    const server = yield* NodeHttpServer.make(() => nodeServer, { host, port })
    yield* Effect.addFinalizer(() =>
      Effect.async<void>((resume) => {
        if (!nodeServer.listening) return resume(Effect.void)
        nodeServer.close(() => resume(Effect.void))
        nodeServer.closeAllConnections()
      }),
    )
    return server
  })
