// The dashboard's Server-Sent Events parser (src/web/sse.ts) and its text rendering (src/web/format.ts), without
// a browser: chunks cut anywhere, CRLF, comments, multi-line data, the last id carried over; control bytes shown.

import { describe, expect, it } from "vitest"
import { duration, plainText } from "../../src/web/format.js"
import { sseParser } from "../../src/web/sse.js"

const stream = [
  "retry: 2000\n\n",
  'id: 41\nevent: task\ndata: {"type":"task"}\n\n',
  ": keep-alive\n\n",
  'id: 42\r\nevent: session\r\ndata: {"a":1,\r\ndata: "b":2}\r\n\r\n',
  'event: reset\ndata: {"type":"reset"}\n\n',
  "data: plain\n\n",
].join("")

const expected = [
  { id: "41", event: "task", data: '{"type":"task"}' },
  { id: "42", event: "session", data: '{"a":1,\n"b":2}' },
  { id: "42", event: "reset", data: '{"type":"reset"}' },
  { id: "42", event: "message", data: "plain" },
]

describe("sseParser", () => {
  it("reads the daemon's stream whole", () => {
    expect(sseParser().push(stream)).toEqual(expected)
  })

  it("gives the same messages however the stream is cut, CRLF split included", () => {
    for (const size of [1, 2, 3, 7, 50]) {
      const parser = sseParser()
      const got = []
      for (let i = 0; i < stream.length; i += size) got.push(...parser.push(stream.slice(i, i + size)))
      expect(got, `chunks of ${size}`).toEqual(expected)
    }
  })

  it("keeps a message without its blank line until the line comes", () => {
    const parser = sseParser()
    expect(parser.push("id: 7\nevent: quota\ndata: {}\n")).toEqual([])
    expect(parser.push("\n")).toEqual([{ id: "7", event: "quota", data: "{}" }])
  })
})

describe("plainText and duration", () => {
  it("shows control bytes as their pictures, keeps markup as characters", () => {
    expect(plainText("\x1b[31mred\x1b[0m <b>x</b>\r\nnext\tcol\x07")).toBe(
      "\u241b[31mred\u241b[0m <b>x</b>\nnext\tcol\u2407",
    )
  })

  it("writes durations short", () => {
    expect([duration(4_000), duration(192_000), duration(7_500_000), duration(3 * 86_400_000)]).toEqual([
      "4s",
      "3m 12s",
      "2h 05m",
      "3d 0h",
    ])
  })
})
