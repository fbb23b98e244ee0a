import type { EventEnvelope } from "./DaemonEvent.js"

// What a client of GET /api/events gets before the live events: from its Last-Event-ID and the kept events.

export interface EventReplay {
  /** Set when the events right after the client's id are not all here: it must re-read /api/status. */
  readonly reset: "dropped" | "unknown_id" | undefined
  readonly events: ReadonlyArray<EventEnvelope>
  /** The id the live part goes on from: a live event at or below it was already sent (or predates the client). */
  readonly last: number
}

/**
 * `kept` is every kept event in order (the ring). No id: nothing replayed, live from now. An id whose successors
 * are kept: those. An id older than the ring, or above every id this daemon gave (a client of an earlier run: ids
 * start again at 1), cannot be resumed: a reset, then every kept event.
 */
export const planReplay = (kept: ReadonlyArray<EventEnvelope>, lastId: number | undefined): EventReplay => {
  const latest = kept.at(-1)?.id ?? 0
  if (lastId === undefined) return { reset: undefined, events: [], last: latest }
  const first = kept[0]?.id ?? latest + 1
  if (lastId > latest) return { reset: "unknown_id", events: kept, last: latest }
  if (lastId + 1 < first) return { reset: "dropped", events: kept, last: latest }
  return { reset: undefined, events: kept.filter((e) => e.id > lastId), last: latest }
}

/** The `data:` of an event: the event's own fields plus when it happened. */
export const eventData = (e: EventEnvelope) => JSON.stringify({ ...e.event, at: e.at })

/** Why a reset was sent, for the client's log and the operator reading the stream. */
export const resetReason = (reset: "dropped" | "unknown_id" | "lagged", lastId: number | undefined) =>
  reset === "dropped"
    ? `the events after ${lastId} are no longer kept: re-read /api/status`
    : reset === "unknown_id"
      ? `event ${lastId} is not from this daemon's run: re-read /api/status`
      : "this client fell behind and events were dropped: re-read /api/status"
