// The screen loop on tmux's notifications: a pane that printed is read (coalesced), a starting session is read
// again every busyMs, every session every idleMs and soon after sessions change; an idle pool costs nothing.

import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, PubSub, TestClock } from "effect"
import type { TmuxNotification } from "../../src/domain/TmuxControlProtocol.js"
import { runOnEvents } from "../../src/programs/daemon/ScreenWatchEvents.js"

type Look = "all" | { panes: ReadonlyArray<string>; names: ReadonlyArray<string> }

const rig = (unsettled: () => ReadonlyArray<string> = () => []) =>
  Effect.gen(function* () {
    const hub = yield* PubSub.unbounded<TmuxNotification>()
    const looks: Array<Look> = []
    const fiber = yield* Effect.fork(
      runOnEvents({
        events: { live: true, subscribe: PubSub.subscribe(hub) },
        look: (only) =>
          Effect.sync(() => {
            looks.push(only === undefined ? "all" : { panes: [...only.panes], names: [...only.names] })
          }),
        unsettled,
        busyMs: 500,
        idleMs: 5_000,
        coalesceMs: 50,
      }),
    )
    const output = (paneId: string) =>
      PubSub.publish(hub, { _tag: "Output", paneId, data: new Uint8Array([120]) })
    return { hub, looks, fiber, output }
  })

describe("runOnEvents", () => {
  it.scoped(
    "a look at everything first, then only the panes that printed, coalesced; nothing while idle",
    () =>
      Effect.gen(function* () {
        const r = yield* rig()
        yield* TestClock.adjust("60 millis")
        expect(r.looks).toEqual(["all"])
        // Idle: 4 s pass with no output and no look.
        yield* TestClock.adjust("4 seconds")
        expect(r.looks).toHaveLength(1)
        // A burst of output from one pane: one look at that pane.
        yield* r.output("%3")
        yield* r.output("%3")
        yield* TestClock.adjust("60 millis")
        expect(r.looks.slice(1)).toEqual([{ panes: ["%3"], names: [] }])
        // The safety net: everything again once idleMs passed since the last full look.
        yield* TestClock.adjust("6 seconds")
        expect(r.looks.at(-1)).toBe("all")
        yield* Fiber.interrupt(r.fiber)
      }),
  )

  it.scoped(
    "a starting session is read every busyMs without output; a session gone means a look at all",
    () =>
      Effect.gen(function* () {
        let starting = ["ccl-pool-1"]
        const r = yield* rig(() => starting)
        yield* TestClock.adjust("60 millis") // the first look at everything
        yield* TestClock.adjust("560 millis")
        yield* TestClock.adjust("560 millis")
        expect(r.looks.slice(1)).toEqual([
          { panes: [], names: ["ccl-pool-1"] },
          { panes: [], names: ["ccl-pool-1"] },
        ])
        starting = []
        yield* TestClock.adjust("1 second")
        const before = r.looks.length
        yield* PubSub.publish(r.hub, { _tag: "Other", name: "sessions-changed", args: "" })
        yield* TestClock.adjust("60 millis")
        expect(r.looks.slice(before)).toEqual(["all"])
        yield* Fiber.interrupt(r.fiber)
      }),
  )
})
