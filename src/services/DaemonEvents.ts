import { Clock, Context, Effect, Layer, PubSub, Queue, type Scope } from "effect"
import type { DaemonEvent, EventEnvelope } from "../domain/DaemonEvent.js"

/** Events kept for a reconnecting client (Last-Event-ID); older ones are gone (it re-reads /api/status). */
export const EVENT_RING = 1000

/**
 * The daemon's events (DaemonEvent.ts) for whoever listens: GET /api/events (SSE), notifications, metrics.
 * Publishing never blocks nor fails: a slow subscriber loses the oldest of its own backlog, nobody else's.
 */
export class DaemonEvents extends Context.Tag("ccl/DaemonEvents")<
  DaemonEvents,
  {
    readonly publish: (event: DaemonEvent) => Effect.Effect<void>
    /** The same from plain code (the session table's listener): stamped and delivered in order just after. */
    readonly emit: (event: DaemonEvent) => void
    /** Events from now on, in order. */
    readonly subscribe: Effect.Effect<Queue.Dequeue<EventEnvelope>, never, Scope.Scope>
    /** Kept events after `lastId` (every kept one for undefined), and whether none after it was dropped. */
    readonly since: (lastId: number | undefined) => {
      readonly events: ReadonlyArray<EventEnvelope>
      readonly complete: boolean
    }
  }
>() {}

/** The events of a daemon: an intake queue (sync offers), stamped by one fiber into a ring and a PubSub. */
export const DaemonEventsLive = Layer.scoped(
  DaemonEvents,
  Effect.gen(function* () {
    const intake = yield* Queue.unbounded<DaemonEvent>()
    const hub = yield* PubSub.sliding<EventEnvelope>(EVENT_RING)
    const ring: Array<EventEnvelope> = []
    let next = 1
    const stamp = (event: DaemonEvent) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const envelope: EventEnvelope = { id: next++, at: new Date(now).toISOString(), event }
        ring.push(envelope)
        if (ring.length > EVENT_RING) ring.shift()
        return PubSub.publish(hub, envelope)
      })
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(intake), stamp)))
    const emit = (event: DaemonEvent) => void intake.unsafeOffer(event)
    return DaemonEvents.of({
      publish: (event) => Effect.sync(() => emit(event)),
      emit,
      subscribe: PubSub.subscribe(hub),
      since: (lastId) => {
        const first = ring[0]?.id ?? next
        if (lastId === undefined) return { events: [...ring], complete: first === 1 }
        return { events: ring.filter((e) => e.id > lastId), complete: lastId + 1 >= first }
      },
    })
  }),
)

/** No listener (unit tests of one service, CLI layers): every event dropped. */
export const DaemonEventsNone = Layer.succeed(
  DaemonEvents,
  DaemonEvents.of({
    publish: () => Effect.void,
    emit: () => {},
    subscribe: Effect.flatMap(Queue.unbounded<EventEnvelope>(), (q) =>
      Effect.succeed(q as Queue.Dequeue<EventEnvelope>),
    ),
    since: () => ({ events: [], complete: true }),
  }),
)
