// The hook spool's format (issue 12): the shell command `hooks install` writes, and the daemon's reading of a
// spool file. The command is run for real in hookSpoolCommand.test.ts.

import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { mergeHookSettings } from "../../src/domain/HookSettings.js"
import { SPOOL_PAYLOAD_LIMIT, spoolHookCommand, spoolRecord } from "../../src/domain/HookSpool.js"

const NAME = "1764672000123456789-4242-0a1b2c3d.json"

describe("spoolHookCommand", () => {
  it("is the whole command for a plain state folder", () => {
    expect(spoolHookCommand("Stop", "/srv/ccl/state")).toBe(
      [
        "umask 077",
        '[ -n "$CCL_SESSION" ] || exit 0',
        "d=/srv/ccl/state",
        '[ -z "$CCL_STATE" ] || d=$CCL_STATE',
        "d=$d/hooks",
        '[ -d "$d/tmp" ] && [ -d "$d/new" ] || mkdir -p "$d/tmp" "$d/new"',
        "r=$(od -An -N4 -tx4 /dev/urandom)",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the shell's, not ours
        "u=$(date +%s%N)-$$-${r##* }",
        `{ printf 'ccl-hook/1 Stop %s\\n' "$CCL_SESSION"; head -c ${SPOOL_PAYLOAD_LIMIT}; } >"$d/tmp/$u" && mv "$d/tmp/$u" "$d/new/$u.json"`,
        "exit 0 # ccl hook Stop",
      ].join("; "),
    )
  })

  it.each([
    ["/path with space/st", "d='/path with space/st'"],
    [`/it's "here"/st`, `d='/it'\\''s "here"/st'`],
    ["/x/$(rm -rf ~)/`id`", "d='/x/$(rm -rf ~)/`id`'"],
  ])("quotes the state folder %s as one word", (state, assignment) => {
    expect(spoolHookCommand("SessionStart", state).split("; ")[2]).toBe(assignment)
  })

  it("is found again by `hooks install`: an upgrade from the Node relay, idempotent, a moved state updated", () => {
    const relay = {
      hooks: { Stop: [{ hooks: [{ type: "command", command: "/usr/bin/node /o/ccl.mjs hook Stop" }] }] },
    }
    const spool = (event: Parameters<typeof spoolHookCommand>[0]) => spoolHookCommand(event, "/new state")
    const upgraded = mergeHookSettings(relay, spool)!
    const commands = (s: Record<string, unknown>) =>
      (s.hooks as Record<string, Array<{ hooks: Array<{ command: string }> }>>).Stop!.flatMap((g) =>
        g.hooks.map((h) => h.command),
      )
    expect(commands(upgraded.settings)).toEqual([spool("Stop")])
    expect(mergeHookSettings(upgraded.settings, spool)!.changed).toBe(false)
    const moved = mergeHookSettings(upgraded.settings, (e) => spoolHookCommand(e, "/elsewhere"))!
    expect(moved.changed).toBe(true)
    expect(commands(moved.settings)).toEqual([spoolHookCommand("Stop", "/elsewhere")])
  })
})

describe("spoolRecord", () => {
  it("reads the event and session from the header, the time from the name, the payload as JSON", () => {
    const payload = { session_id: "abc", hook_event_name: "Stop", prompt_id: "p1" }
    const r = spoolRecord(NAME, `ccl-hook/1 Stop ccl-pool-1\n${JSON.stringify(payload)}\n`)
    expect(r).toEqual(
      Either.right({
        event: "Stop",
        ccl_session: "ccl-pool-1",
        received_at: new Date(1764672000123).toISOString(),
        payload,
      }),
    )
  })

  it("takes a name without its random part (no /dev/urandom)", () => {
    expect(Either.isRight(spoolRecord("1764672000123456789-4242-.json", "ccl-hook/1 Stop s\n{}"))).toBe(true)
  })

  it("keeps a payload that is not JSON (cut off at the limit, say) as {raw}, and a session name with spaces", () => {
    const r = spoolRecord(NAME, 'ccl-hook/1 StopFailure my session\n{"cut off')
    expect(r).toMatchObject(
      Either.right({ event: "StopFailure", ccl_session: "my session", payload: { raw: '{"cut off' } }),
    )
  })

  it.each([
    ["x.json", "ccl-hook/1 Stop s\n{}"],
    ["1764672000-1-ab.json", "ccl-hook/1 Stop s\n{}"],
    [NAME, ""],
    [NAME, "{}"],
    [NAME, "ccl-hook/1 Stop\n{}"],
    [NAME, "ccl-hook/2 Stop s\n{}"],
    [NAME, "ccl-hook/1 $(x) s\n{}"],
    [NAME, "\u0000\u0001garbage"],
  ])("refuses %s with %j", (name, text) => {
    expect(Either.isLeft(spoolRecord(name, text))).toBe(true)
  })
})
