import { describe, expect, it } from "@effect/vitest"
import { Cause, Data, FiberId } from "effect"
import { causeText, failureText } from "../../src/domain/FailureText.js"
import { QueueIOError } from "../../src/services/TaskQueue.js"
import { PasteNotLanded, TmuxError } from "../../src/services/TmuxPool.js"

class NoMessage extends Data.TaggedError("NoMessage")<{ readonly session: string; readonly tries: number }> {}

describe("failureText", () => {
  it("words known errors from their fields, never the bare tag", () => {
    expect(
      failureText(
        new TmuxError({ command: "tmux new-session -s x", exitCode: 1, stderr: "duplicate session: x\n" }),
      ),
    ).toBe("tmux new-session -s x failed (exit 1): duplicate session: x")
    expect(failureText(new PasteNotLanded({ session: "ccl-pool-2" }))).toBe(
      "the pasted prompt never showed up in session ccl-pool-2",
    )
    expect(failureText(new QueueIOError({ op: "rename", path: "/q/active/a.md", message: "ENOSPC" }))).toBe(
      "cannot rename /q/active/a.md: ENOSPC",
    )
  })

  it("any other tagged error: its message, else its fields; plain errors: their message", () => {
    expect(failureText(new NoMessage({ session: "s1", tries: 3 }))).toBe("NoMessage (session: s1, tries: 3)")
    expect(failureText({ _tag: "FailoverRefused", reason: "x", message: "no account left" })).toBe(
      "FailoverRefused: no account left",
    )
    expect(failureText(new TypeError("bad\nstack"))).toBe("TypeError: bad")
  })

  it("causeText: the first failure or defect in one line, interruption said, an empty cause none", () => {
    expect(causeText(Cause.empty)).toBeUndefined()
    expect(causeText(Cause.die(new Error("boom")))).toBe("boom")
    expect(
      causeText(Cause.sequential(Cause.fail(new NoMessage({ session: "a", tries: 1 })), Cause.die("x"))),
    ).toBe("NoMessage (session: a, tries: 1) (and 1 more)")
    expect(causeText(Cause.interrupt(FiberId.none))).toBe("interrupted")
  })
})
