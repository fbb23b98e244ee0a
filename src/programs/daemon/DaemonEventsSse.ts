import { Clock, type Context, Duration, Effect, Schedule, Stream } from "effect"
import type { EventEnvelope } from "../../domain/DaemonEvent.js"
import { eventData, planReplay, resetReason } from "../../domain/EventReplay.js"
import { sseComment, sseMessage, sseRetry } from "../../domain/ServerSentEvents.js"
import type { DaemonEvents } from "../../services/DaemonEvents.js"

/** A comment this often: a quiet stream stays open through proxies, and a client can tell a dead one. */
export const KEEP_ALIVE = Duration.seconds(15)
/** A browser's EventSource waits this long before it reconnects. */
export const RETRY_MS = 2_000

const message = (e: EventEnvelope) => sseMessage({ id: `${e.id}`, event: e.event.type, data: eventData(e) })

/** No id: the client keeps its Last-Event-ID, and resumes from the last real event it got. */
const reset = (reason: string) =>
  Effect.map(Clock.currentTimeMillis, (now) =>
    sseMessage({
      event: "reset",
      data: JSON.stringify({ type: "reset", reason, at: new Date(now).toISOString() }),
    }),
  )

/**
 * GET /api/events as text: `retry:`, a reset when the client's id cannot be resumed, the kept events after it,
 * then live ones, with a keep-alive comment. The subscription comes before the ring is read, so that nothing
 * falls between the two; live events already replayed are skipped. It is released when the stream ends (the
 * client went away).
 */
export const daemonEventsSse = (
  events: Context.Tag.Service<typeof DaemonEvents>,
  lastId: number | undefined,
): Stream.Stream<string> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const live = yield* events.subscribe
      const plan = planReplay(events.since(undefined).events, lastId)
      const head = [
        sseRetry(RETRY_MS),
        ...(plan.reset === undefined ? [] : [yield* reset(resetReason(plan.reset, lastId))]),
        ...plan.events.map(message),
      ]
      const tail = Stream.fromQueue(live).pipe(
        Stream.mapAccumEffect(
          plan.last,
          (last, e): Effect.Effect<readonly [number, ReadonlyArray<string>]> =>
            e.id <= last
              ? Effect.succeed([last, []] as const)
              : // Ids rise by one: a hole means this client's own backlog overflowed (the PubSub slides).
                e.id > last + 1
                ? Effect.map(reset(resetReason("lagged", last)), (r) => [e.id, [r, message(e)]] as const)
                : Effect.succeed([e.id, [message(e)]] as const),
        ),
        Stream.flattenIterables,
      )
      const keepAlive = Stream.fromSchedule(Schedule.spaced(KEEP_ALIVE)).pipe(
        Stream.as(sseComment("keep-alive")),
      )
      return Stream.concat(Stream.fromIterable(head), tail).pipe(
        Stream.merge(keepAlive, { haltStrategy: "left" }),
      )
    }),
  )
