import { describe, expect, it } from "@effect/vitest"
import {
  type ControlEvent,
  commandLine,
  decodeOutput,
  makeControlParser,
  quoteArg,
} from "../../src/domain/TmuxControlProtocol.js"

const bytes = (s: string) => new TextEncoder().encode(s)

/** Feeds `chunks` to a fresh parser, returns every event; Output data as latin1 text to compare easily. */
const parse = (chunks: ReadonlyArray<Uint8Array>) => {
  const parser = makeControlParser()
  return chunks
    .flatMap((c) => parser.feed(c))
    .map((e: ControlEvent) =>
      e._tag === "Notification" && e.notification._tag === "Output"
        ? { ...e.notification, data: Buffer.from(e.notification.data).toString("latin1") }
        : e,
    )
}

// One session of tmux -C output: the initial command's block (flags 0), a reply whose body holds lines that look
// like protocol (a captured screen can show anything), an %output between blocks, an error, a UTF-8 body.
const STREAM = [
  "%begin 1700000000 259 0",
  "%end 1700000000 259 0",
  "%session-changed $0 _ccl-control-1-1",
  "%begin 1700000000 265 1",
  "%end 1700000000 265 0",
  "%end 1700000001 265 1",
  "%error 1700000000 266 1",
  "%output %1 fake",
  "",
  "%begin 1700000000 264 1",
  "%end 1700000000 265 1",
  "%output %12 hello\\015\\012a\\134b \\033[0m",
  "%begin 1700000000 267 1",
  "can't find session: nope",
  "%error 1700000000 267 1",
  "%begin 1700000000 268 1",
  "é ✓ 日本",
  "%end 1700000000 268 1",
  "%sessions-changed",
  "%exit server exited",
  "",
].join("\n")

const EXPECTED = [
  { _tag: "Reply", reply: { ok: true, mine: false, lines: [] } },
  {
    _tag: "Notification",
    notification: { _tag: "Other", name: "session-changed", args: "$0 _ccl-control-1-1" },
  },
  {
    _tag: "Reply",
    reply: {
      ok: true,
      mine: true,
      lines: [
        "%end 1700000000 265 0",
        "%end 1700000001 265 1",
        "%error 1700000000 266 1",
        "%output %1 fake",
        "",
        "%begin 1700000000 264 1",
      ],
    },
  },
  { _tag: "Output", paneId: "%12", data: "hello\r\na\\b \x1b[0m" },
  { _tag: "Reply", reply: { ok: false, mine: true, lines: ["can't find session: nope"] } },
  { _tag: "Reply", reply: { ok: true, mine: true, lines: ["é ✓ 日本"] } },
  { _tag: "Notification", notification: { _tag: "Other", name: "sessions-changed", args: "" } },
  { _tag: "Notification", notification: { _tag: "Exit", reason: "server exited" } },
]

describe("tmux control-mode framing", () => {
  it("reads blocks by their exact guard line, notifications between them, %output unescaped", () => {
    expect(parse([bytes(STREAM)])).toEqual(EXPECTED)
  })

  it("gives the same events however the bytes are cut: inside lines, guards and UTF-8 characters", () => {
    const all = bytes(STREAM)
    for (let at = 1; at < all.length; at++)
      expect(parse([all.subarray(0, at), all.subarray(at)]), `cut at ${at}`).toEqual(EXPECTED)
    expect(parse(Array.from(all, (b) => Uint8Array.of(b)))).toEqual(EXPECTED)
  })

  it("%output keeps raw bytes (not UTF-8 text) and leaves a backslash that is not an escape alone", () => {
    expect(Array.from(decodeOutput(bytes("\\303\\251 \\\\ \\8 \\0")))).toEqual([
      0xc3, 0xa9, 0x20, 0x5c, 0x5c, 0x20, 0x5c, 0x38, 0x20, 0x5c, 0x30,
    ])
    const [event] = makeControlParser().feed(Uint8Array.of(...bytes("%output %3 "), 0xff, 0x0a))
    expect(event).toMatchObject({ notification: { _tag: "Output", paneId: "%3" } })
    expect(Array.from((event as { notification: { data: Uint8Array } }).notification.data)).toEqual([0xff])
  })
})

describe("quoting for tmux's command parser", () => {
  it("single-quotes every argument; ' and control characters go outside the quotes, escaped", () => {
    expect(quoteArg("")).toBe("''")
    expect(quoteArg("=ccl-pool-1:")).toBe("'=ccl-pool-1:'")
    expect(quoteArg("#{pane_in_mode}")).toBe("'#{pane_in_mode}'")
    expect(quoteArg("it's")).toBe("'it'\\''s'")
    expect(quoteArg("'")).toBe("\\'")
    expect(quoteArg("a\nb\tc")).toBe("'a'\\012'b'\\011'c'")
    expect(quoteArg("$(x); ~ \\ {}")).toBe("'$(x); ~ \\ {}'")
  })

  it("one line per command: a fixed command name, then quoted arguments; never a newline", () => {
    expect(commandLine(["send-keys", "-t", "=x:", "Enter"])).toBe("send-keys '-t' '=x:' 'Enter'")
    expect(commandLine(["set-buffer", "a\nkill-server"])).not.toContain("\n")
    expect(() => commandLine(["kill-server; x"])).toThrow()
    expect(() => commandLine([])).toThrow()
  })
})
