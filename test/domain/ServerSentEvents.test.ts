import { describe, expect, it } from "vitest"
import type { EventEnvelope } from "../../src/domain/DaemonEvent.js"
import { planReplay } from "../../src/domain/EventReplay.js"
import {
  readSse,
  type SseMessage,
  sseComment,
  sseMessage,
  sseReaderStart,
  sseRetry,
} from "../../src/domain/ServerSentEvents.js"

/** Reads `text` cut into chunks at every position in `cuts`. */
const readInChunks = (text: string, cuts: ReadonlyArray<number>) => {
  let reader = sseReaderStart
  const out: Array<SseMessage> = []
  let from = 0
  for (const to of [...cuts, text.length]) {
    const [next, messages] = readSse(reader, text.slice(from, to))
    reader = next
    out.push(...messages)
    from = to
  }
  return out
}

describe("Server-Sent Events text", () => {
  const stream =
    sseRetry(2000) +
    sseMessage({ id: "1", event: "task", data: '{"id":"a"}' }) +
    sseComment("keep-alive") +
    sseMessage({ event: "reset", data: "two\nlines" }) +
    sseMessage({ id: "2", event: "session", data: "{}" })
  const expected: ReadonlyArray<SseMessage> = [
    { id: "1", event: "task", data: '{"id":"a"}' },
    // No id line: the last id stays (a browser's lastEventId).
    { id: "1", event: "reset", data: "two\nlines" },
    { id: "2", event: "session", data: "{}" },
  ]

  it("written as the format says, read back whole", () => {
    expect(sseMessage({ id: "7", event: "task", data: "{}" })).toBe("id: 7\nevent: task\ndata: {}\n\n")
    expect(readInChunks(stream, [])).toEqual(expected)
  })

  it("read the same however the text is cut into chunks, CRLF line ends included", () => {
    for (let cut = 1; cut < stream.length; cut++) expect(readInChunks(stream, [cut])).toEqual(expected)
    const crlf = stream.replaceAll("\n", "\r\n")
    for (let cut = 1; cut < crlf.length; cut++) expect(readInChunks(crlf, [cut, cut + 1])).toEqual(expected)
  })
})

describe("planReplay", () => {
  const kept = (from: number, to: number): Array<EventEnvelope> =>
    Array.from({ length: to - from + 1 }, (_, i) => ({
      id: from + i,
      at: "2026-01-01T00:00:00.000Z",
      event: { type: "hook", event: "Stop", session: "s" },
    }))
  const idsOf = (p: ReturnType<typeof planReplay>) => [p.reset, p.events.map((e) => e.id), p.last]

  it("no id: live from the last kept one; an id: the kept ones after it", () => {
    expect(idsOf(planReplay(kept(1, 5), undefined))).toEqual([undefined, [], 5])
    expect(idsOf(planReplay([], undefined))).toEqual([undefined, [], 0])
    expect(idsOf(planReplay(kept(1, 5), 3))).toEqual([undefined, [4, 5], 5])
    expect(idsOf(planReplay(kept(1, 5), 5))).toEqual([undefined, [], 5])
    expect(idsOf(planReplay(kept(1, 5), 0))).toEqual([undefined, [1, 2, 3, 4, 5], 5])
    expect(idsOf(planReplay(kept(4, 9), 3))).toEqual([undefined, [4, 5, 6, 7, 8, 9], 9])
  })

  it("an id whose successors are gone, or that this run never gave: reset, then every kept one", () => {
    expect(idsOf(planReplay(kept(4, 6), 2))).toEqual(["dropped", [4, 5, 6], 6])
    expect(idsOf(planReplay(kept(4, 6), 0))).toEqual(["dropped", [4, 5, 6], 6])
    expect(idsOf(planReplay(kept(1, 3), 40))).toEqual(["unknown_id", [1, 2, 3], 3])
    expect(idsOf(planReplay([], 1))).toEqual(["unknown_id", [], 0])
  })
})
