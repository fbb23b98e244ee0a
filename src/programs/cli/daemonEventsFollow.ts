import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Duration, Effect, Schedule, Stream } from "effect"
import { readSse, sseReaderStart } from "../../domain/ServerSentEvents.js"
import { AppConfig } from "../../services/AppConfig.js"
import { daemonAddress } from "./daemonClient.js"

/** The daemon sends a keep-alive every 15 s: three missed and the connection is taken for dead. */
const IDLE = Duration.seconds(45)
/** Between attempts to connect (the daemon's `retry:` hint). */
const RECONNECT = Schedule.spaced(Duration.seconds(2))

/**
 * Follows GET /api/events for as long as it runs: `changed` after each event (a reset included), after a
 * connection drops, and when one is made again (what happened meanwhile may not all be replayed, e.g. after a
 * daemon restart). Reconnects every 2 s with the Last-Event-ID it got last; a daemon that does not answer (down,
 * wrong token) is simply tried again.
 */
export const followDaemonEvents = (changed: Effect.Effect<void>) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.filterStatusOk)
    const url = `${yield* daemonAddress}/api/events`
    let lastId: string | undefined
    let connections = 0
    const connection = Effect.gen(function* () {
      const token = settings.api.token
      let request = HttpClientRequest.get(url).pipe(
        HttpClientRequest.setHeader("accept", "text/event-stream"),
      )
      if (token !== undefined) request = HttpClientRequest.bearerToken(request, token)
      if (lastId !== undefined) request = HttpClientRequest.setHeader(request, "last-event-id", lastId)
      const response = yield* client.execute(request)
      if (connections++ > 0) yield* changed
      yield* response.stream.pipe(
        Stream.decodeText(),
        Stream.timeout(IDLE),
        Stream.mapAccum(sseReaderStart, readSse),
        Stream.runForEach((messages) =>
          Effect.gen(function* () {
            if (messages.length === 0) return
            lastId = messages.at(-1)?.id ?? lastId
            yield* changed
          }),
        ),
        // A connection that was made and dropped: the daemon may be gone, the status says.
        Effect.ensuring(changed),
      )
    })
    return yield* connection.pipe(Effect.ignore, Effect.repeat(RECONNECT), Effect.asVoid)
  })
