import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import {
  BOTTOM_LINES,
  bottomRegion,
  classifyScreen,
  dialogEvidence,
  isBusyFooter,
  isDoneLine,
  isFooterLine,
  isIdleFooter,
  isInputLine,
  isNewTurnLine,
  isRule,
  isShellCommandLine,
  isShellPrompt,
  isSpinnerLine,
  type ScreenState,
  screenLines,
} from "../../src/domain/ScreenState.js"
import { detectUsageLimit } from "../../src/domain/UsageLimit.js"

const dir = fileURLToPath(new URL("../fixtures/screens/", import.meta.url))
const fixtures = readdirSync(dir)
  .filter((f) => f.endsWith(".txt"))
  .sort()
const read = (file: string) => readFileSync(dir + file, "utf8")

// Tuesday 2026-11-24 15:00 UTC. In November: Paris/Berlin UTC+1, New York UTC-5; Tokyo UTC+9 all year.
const now = Date.UTC(2026, 10, 24, 15, 0)
const zone = "Europe/Paris"
const classify = (screen: string) => classifyScreen(screen, now, zone)

const STATES: readonly ScreenState[] = ["idle", "busy", "waiting", "usage-limit", "shell", "unknown"]

// The reset each usage-limit fixture must yield with `now` and `zone` above.
const RESETS: Record<string, string> = {
  "usage-limit--legacy-epoch.txt": "2025-01-10T10:00:00.000Z", // |1736503200
  "usage-limit--menu-new-york.txt": "2026-11-25T02:00:00.000Z", // 9pm New York, today
  "usage-limit--reached-old-wording.txt": "2027-10-06T16:00:00.000Z", // Oct 6, 6pm Paris (local zone): next year
  "usage-limit--session-limit-berlin.txt": "2026-11-24T21:30:00.000Z", // 10:30pm Berlin, today
  "usage-limit--simulator-paris.txt": "2026-11-24T19:00:00.000Z", // 8pm Paris, today
  "usage-limit--weekly-tokyo-date.txt": "2027-08-02T15:00:00.000Z", // Aug 3 at 12am Tokyo: next year
}

// What the evidence must quote for a few fixtures: the line that decided.
const EVIDENCE: Record<string, string> = {
  "busy--footer-interrupt-bypass.txt": "⏵⏵ bypass permissions on (shift+tab to cycle) · esc to interrupt",
  "busy--simulator-working.txt": "✶ Working… (esc to interrupt)",
  "busy--timer-spinner-footer-without-hint.txt": "✻ Galloping… (running stop hooks… 1/3 · 24s",
  "idle--prompt-mentions-esc-to-interrupt-in-history.txt":
    "⏸ manual mode on · ? for shortcuts · ← for agents",
  "shell--after-exit.txt": "dev@devbox ~ %",
  "unknown--launch-typed.txt": "claude --session-id 3f2a9c1e",
  "usage-limit--menu-new-york.txt": "1. Stop and wait for limit to reset",
  "waiting--bash-permission.txt": "Do you want to proceed?",
  "waiting--create-file-v2.txt": "Do you want to create note.txt?",
  "waiting--trust-folder.txt": "Quick safety check",
}

const stateOf = (file: string) => file.slice(0, file.indexOf("--"))

describe("classifyScreen: recorded screens (test/fixtures/screens, expected state = file name prefix)", () => {
  it("has at least 20 fixtures named <state>--<what>.txt, covering every state, each with provenance", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20)
    for (const f of fixtures) {
      expect(f).toMatch(/^[a-z-]+--[a-z0-9-]+\.txt$/)
      expect(STATES).toContain(stateOf(f))
    }
    for (const s of STATES) expect(fixtures.some((f) => stateOf(f) === s)).toBe(true)
    const readme = readFileSync(`${dir}README.md`, "utf8")
    for (const f of fixtures) expect(readme, `README.md has no line for ${f}`).toContain(`\`${f}\``)
  })

  it("has an expected reset for exactly the usage-limit fixtures", () => {
    expect(Object.keys(RESETS).sort()).toEqual(fixtures.filter((f) => stateOf(f) === "usage-limit"))
    for (const f of Object.keys(EVIDENCE)) expect(fixtures).toContain(f)
  })

  it.each(fixtures)("%s", (file) => {
    const reading = classify(read(file))
    expect(reading.state).toBe(stateOf(file))
    expect(reading.evidence.length).toBeGreaterThan(0)
    if (reading.state === "usage-limit") expect(reading.resetAt?.toISOString()).toBe(RESETS[file])
    else expect("resetAt" in reading).toBe(false)
    const evidence = EVIDENCE[file]
    if (evidence !== undefined) expect(reading.evidence).toContain(evidence)
  })

  it("idle--old-limit-scrolled-up: the limit is on screen, but above the bottom region", () => {
    const screen = read("idle--old-limit-scrolled-up.txt")
    expect(detectUsageLimit(screen, now, zone)).toBeDefined()
    expect(detectUsageLimit(bottomRegion(screenLines(screen)).join("\n"), now, zone)).toBeUndefined()
  })

  it("idle--prompt-mentions-esc-to-interrupt-in-history: the words are in the bottom region, in the transcript", () => {
    const bottom = bottomRegion(screenLines(read("idle--prompt-mentions-esc-to-interrupt-in-history.txt")))
    expect(bottom.filter((l) => l.includes("esc to interrupt")).length).toBeGreaterThanOrEqual(3)
  })

  it("the simulated screens use the simulator's exact strings", () => {
    const rule = "─".repeat(60)
    const idle = read("idle--simulator-after-turn.txt")
    expect(idle).toContain(`${rule}\n> \n${rule}\n  ? for shortcuts\n`)
    expect(idle).toContain("● Done: ")
    expect(idle).toContain("✻ Baked for 1s")
    expect(read("busy--simulator-working.txt")).toMatch(/^[✻✶✳✢·] Working… \(esc to interrupt\)$/mu)
    expect(read("usage-limit--simulator-paris.txt")).toContain(
      "● You've hit your limit · resets 8pm (Europe/Paris)\n/upgrade to increase your usage limit.\n",
    )
    expect(read("idle--simulator-resumed-after-limit.txt")).toMatch(
      /^Resumed conversation [0-9a-f-]{36} \(\d+ messages\) under \/\S+$/m,
    )
  })
})

describe("screenLines and bottomRegion", () => {
  it("drops blank lines, trailing blanks, CR, ANSI sequences; turns no-break spaces into spaces", () => {
    const screen = "\x1b[1mone\x1b[0m  \r\n\r\n   \n❯\u00a0Try\u00a0it\n\x1b]0;title\x07two\n\n\n"
    expect(screenLines(screen)).toEqual(["one", "❯ Try it", "two"])
    expect(screenLines("")).toEqual([])
    expect(screenLines("\n  \n\u00a0\n")).toEqual([])
  })

  it("keeps the last BOTTOM_LINES lines", () => {
    expect(BOTTOM_LINES).toBe(15)
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i}`)
    expect(bottomRegion(lines)).toEqual(lines.slice(25))
    expect(bottomRegion(lines, 3)).toEqual(["line 37", "line 38", "line 39"])
    expect(bottomRegion(["a"])).toEqual(["a"])
    expect(bottomRegion(lines, 0)).toEqual([])
  })

  it("isRule: a run of box-drawing horizontals", () => {
    expect(isRule("─".repeat(60))).toBe(true)
    expect(isRule("  ────────  ")).toBe(true)
    expect(isRule("───")).toBe(false)
    expect(isRule("╭──────────╮")).toBe(false)
    expect(isRule("── heading ──────────")).toBe(false)
  })
})

describe("shell prompts", () => {
  it.each([
    "user@host:~/x$",
    "dev@devbox:~/proj$ ",
    "root@box:/srv#",
    "dev@devbox ~ %",
    "(venv) dev@box:~/x$",
    "bash-5.2$",
    "sh-5.2#",
    "[dev@box proj]$",
    "$",
    "#",
    "%",
    "~ %",
    "devbox%",
    "~/proj ❯",
    "➜  proj git:(main) ✗",
  ])("%j is a shell prompt", (line) => {
    expect(isShellPrompt(line)).toBe(true)
  })

  it.each([
    "dev@devbox:~/proj$ ls",
    "  ? for shortcuts",
    "  ⎿  $",
    "● Cost so far: 5$ more",
    "─".repeat(40),
    "  Sonnet 5 | /private/tmp/rc-smoke [rc %18]",
    "claude --resume df6695ca-03a2-43c9-a7cd-f47f5ae9db68",
    "❯ fix the tests",
    "> ",
    "ctx:61%",
    "  61%",
  ])("%j is not a shell prompt", (line) => {
    expect(isShellPrompt(line)).toBe(false)
  })

  it("a bare ❯ is a shell prompt unless a rule sits right above it (Claude Code's input line)", () => {
    expect(isShellPrompt("❯")).toBe(true)
    expect(isShellPrompt("❯ ", "~/proj on main")).toBe(true)
    expect(isShellPrompt("❯ ", "─".repeat(40))).toBe(false)
  })

  it("isShellCommandLine: a prompt with a command typed on it", () => {
    expect(isShellCommandLine("dev@devbox:~/proj$ CLAUDE_CONFIG_DIR=/a claude --resume x")).toBe(true)
    expect(isShellCommandLine("bash-5.3$ echo hi")).toBe(true)
    expect(isShellCommandLine("$ npm test")).toBe(true)
    expect(isShellCommandLine("dev@devbox:~/proj$ ")).toBe(false)
    expect(isShellCommandLine("  $ npm test")).toBe(false) // indented: a quote in Claude's transcript
    expect(isShellCommandLine("❯ run npm test")).toBe(false)
  })
})

describe("transcript structure", () => {
  it("isNewTurnLine: a submitted prompt, a reply, a resume banner", () => {
    expect(isNewTurnLine("❯ continue", "  ⎿  done")).toBe(true)
    expect(isNewTurnLine("> continue")).toBe(true)
    expect(isNewTurnLine("● Done: x")).toBe(true)
    expect(isNewTurnLine("⏺ Update(src/a.ts)")).toBe(true)
    expect(
      isNewTurnLine("Resumed conversation 0b6f1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e (4 messages) under /w"),
    ).toBe(true)
    expect(isNewTurnLine("❯ typed but not sent", "─".repeat(40))).toBe(false) // the input line
    expect(isNewTurnLine("❯ 1. Stop and wait for limit to reset")).toBe(false) // a menu cursor
    expect(isNewTurnLine("  ● main")).toBe(false) // the agents list under the footer
    expect(isNewTurnLine("❯ ")).toBe(false)
  })

  it("isDoneLine: the turn-finished line", () => {
    for (const line of [
      "✻ Baked for 1s",
      "✻ Worked for 1m 33s",
      "✳ Brewed for 9m 52s",
      "✻ Sautéed for 43s",
    ]) {
      expect(isDoneLine(line), line).toBe(true)
    }
    for (const line of [
      "✻ Working… (esc to interrupt)",
      "  ✻ Baked for 1s",
      "● Baked for 1s",
      "✻ Thinking…",
    ]) {
      expect(isDoneLine(line), line).toBe(false)
    }
  })
})

describe("busy lines", () => {
  it.each([
    "✻ Working… (esc to interrupt)",
    "✶ Working… (esc to interrupt)",
    "✳ Working… (esc to interrupt)",
    "✢ Working… (esc to interrupt)",
    "· Working… (esc to interrupt)",
    "✻ Shimmying… (102s · ⚒ 8.7k tokens · esc to interrupt)",
    "✶ Ideating…  (21s · ↓ 1.2k tokens · esc to interrupt)",
    "* Reticulating… (1m 12s · ↑ 2.3k tokens · esc to interrupt)",
    "✻ Thinking… (esc to interrupt · ctrl+t to show todos)",
    " ✽ Brewing… (5s · ↓ 1.2k tokens · esc to interrupt)",
    "Compacting conversation… (8s · esc to interrupt)",
    "✢ Effecting… (10m 3s · ↓ 4.6k tokens · thought for 1s)",
    "✳ Levitating… (8s · ↓ 117 tokens)",
    "✶ Simmering… (7s)",
    "✻ Galloping… (running stop hooks… 1/3 · 24s · ↓ 1.4k tokens)",
  ])("%j is a spinner line", (line) => {
    expect(isSpinnerLine(line)).toBe(true)
  })

  it.each([
    "✻ Baked for 1s",
    "✻ Thinking…",
    "✻ Working…",
    "  ✻ Working… (esc to interrupt)", // indented: quoted in a reply
    "  ✳ Levitating… (8s · ↓ 117 tokens)", // indented: quoted in a reply
    "> why does it say (esc to interrupt)?",
    "● The spinner shows (esc to interrupt)",
    "  shown as (esc to interrupt)",
    "  I just wrote that esc to interrupt is in the footer.",
    "  ⎿  Running… (42s)",
    "│ ✻ Welcome to Claude Code!                         │",
    "✻ Working (esc to stop)",
  ])("%j is not a spinner line", (line) => {
    expect(isSpinnerLine(line)).toBe(false)
  })

  it("footers: a mode or hint first, `·`-separated; busy when one segment is `esc to interrupt`", () => {
    const busy = [
      "  ⏵⏵ bypass permissions on (shift+tab to cycle) · esc to interrupt",
      "  ⏸ manual mode on · esc to interrupt · ← for agents",
      "  ⏵⏵ auto mode on · 1 shell · esc to interrupt · ← for agents · ↓ to manage",
      "  esc to interrupt · ← for agents",
      "  ⏵⏵ accept edits on (shift+tab to cycle) · esc to interrupt · ctrl+t to hide tasks      0% until auto-compact",
    ]
    const idle = [
      "  ? for shortcuts",
      "  ⏵⏵ bypass permissions on (shift+tab to cycle)",
      "▶▶ bypass permissions on (shift+tab to cycle)",
      "  ⏸ plan mode on (shift+tab to cycle)",
      "  ⏸ manual mode on",
      "  ⏸ manual mode on · ? for shortcuts · ← for agents",
      "  ⏵⏵ auto mode on (shift+tab to cycle) · ← for agents",
      "  ← for agents",
    ]
    for (const line of busy) {
      expect(isBusyFooter(line), line).toBe(true)
      expect(isIdleFooter(line), line).toBe(false)
      expect(isFooterLine(line), line).toBe(true)
    }
    for (const line of idle) {
      expect(isIdleFooter(line), line).toBe(true)
      expect(isBusyFooter(line), line).toBe(false)
    }
    for (const line of [
      "  I just wrote that esc to interrupt is in the footer.",
      "Press ? for shortcuts",
      "❯ is · esc to interrupt · the footer?",
      " Esc to cancel · Tab to amend",
      "  Sonnet 5 | /private/tmp/rc-smoke",
    ]) {
      expect(isFooterLine(line), line).toBe(false)
      expect(isBusyFooter(line), line).toBe(false)
    }
  })
})

describe("dialogEvidence", () => {
  it.each([
    [["│ Do you want to proceed?                 │", "│ ❯ 1. Yes  │"], "Do you want to proceed?"],
    [["Do you want to make this edit to App.tsx?"], "Do you want to make this edit to App.tsx?"],
    [[" Do you want to create note.txt?"], "Do you want to create note.txt?"],
    [["(2 of 5) Do you want to proceed?"], "(2 of 5) Do you want to proceed?"],
    [["   Would you like to proceed?"], "Would you like to proceed?"],
    [[" Quick safety check: Is this a project you created or one you trust?"], "Quick safety check:"],
    [["Do you trust the files in this folder?"], "Do you trust the files in this folder?"],
    [
      ["  3. No, and tell Claude what to do differently (esc)"],
      "3. No, and tell Claude what to do differently (esc)",
    ],
    [[" ❯ 1. Yes, I trust this folder", "   2. No, exit"], "❯ 1. Yes, I trust this folder"],
    [["> 1. Stop and wait for limit to reset"], "> 1. Stop and wait for limit to reset"],
    [["  1. Default", "  2. Sonnet", "  Esc to cancel"], "Esc to cancel"],
    [["  1. Default", "  2. Sonnet", "  Enter to select · esc to cancel"], "Enter to select · esc to cancel"],
  ])("%j -> %j", (lines, evidence) => {
    expect(dialogEvidence(lines)).toContain(evidence)
  })

  it.each([
    [["  1. Read the code", "  2. Fix the bug"]], // a numbered list in a reply
    [["  1. Default", "  Esc to cancel"]], // one option is no menu
    [["● Shall we proceed with option B?"]],
    [["  Do you want me to run the tests?"]],
    [[]],
  ])("%j -> no dialog", (lines) => {
    expect(dialogEvidence(lines)).toBeUndefined()
  })
})

describe("isInputLine", () => {
  const rule = "─".repeat(40)
  it("❯ or > right under a rule, or │ > right under the box top", () => {
    expect(isInputLine("❯ ", rule)).toBe(true)
    expect(isInputLine("❯", rule)).toBe(true)
    expect(isInputLine("> fix it", rule)).toBe(true)
    expect(isInputLine("│ >                │", "╭────────────────╮")).toBe(true)
    expect(isInputLine('│ > Try "fix lint errors"   │', "╭────────────────╮")).toBe(true)
    expect(isInputLine("❯ ", "● Done.")).toBe(false)
    expect(isInputLine("❯ ")).toBe(false)
    expect(isInputLine("│ > x │", "│ above │")).toBe(false)
    expect(isInputLine("❯1. Yes", rule)).toBe(false)
  })
})

describe("classifyScreen: rules and their order", () => {
  const rule = "─".repeat(60)
  const idleBox = [rule, "❯ ", rule, "  ⏵⏵ accept edits on (shift+tab to cycle)"]
  const screen = (...lines: string[]) => `${lines.join("\n")}\n\n`
  const hit = "  ⎿  You've hit your session limit · resets 10:30pm (Europe/Berlin)"
  const filler = (n: number) => Array.from({ length: n }, (_, i) => `     tool output line ${i}`)

  it("blank -> unknown", () => {
    expect(classify("\n\n \n")).toEqual({ state: "unknown", evidence: "blank screen" })
  })

  it("a limit counts only inside the bottom BOTTOM_LINES lines", () => {
    // hit + 10 filler + 4 lines of input box = 15 lines: the hit is the first line of the bottom region.
    expect(classify(screen(hit, ...filler(10), ...idleBox)).state).toBe("usage-limit")
    expect(classify(screen(hit, ...filler(11), ...idleBox)).state).toBe("idle")
  })

  it("a limit followed by a new prompt, reply or resume is history; a done line does not end it", () => {
    expect(classify(screen(hit, "", "❯ continue", "", "⏺ Picking up.", ...idleBox)).state).toBe("idle")
    expect(classify(screen(hit, "", "⏺ Picking up.", ...idleBox)).state).toBe("idle")
    expect(
      classify(screen(hit, "Resumed conversation 0b6f1c2e (2 messages) under /w", ...idleBox)).state,
    ).toBe("idle")
    const done = classify(screen(hit, "", "✻ Worked for 3s", ...idleBox))
    expect(done).toEqual({
      state: "usage-limit",
      resetAt: new Date("2026-11-24T21:30:00.000Z"),
      evidence: "usage limit: You've hit your session limit · resets 10:30pm (Europe/Berlin)",
    })
  })

  it("a limit without a reset time has no resetAt", () => {
    const reading = classify(screen("  ⎿  You've hit your limit", ...idleBox))
    expect(reading.state).toBe("usage-limit")
    expect("resetAt" in reading).toBe(false)
  })

  it("a non-limit notice is no limit", () => {
    expect(
      classify(screen("  ⎿  You've used 90% of your weekly limit · resets 3am (Europe/Paris)", ...idleBox))
        .state,
    ).toBe("idle")
  })

  it("usage-limit before busy, busy before waiting, waiting before idle", () => {
    const busyFooter = "  ⏸ manual mode on · esc to interrupt · ← for agents"
    expect(classify(screen(hit, rule, "❯ ", rule, busyFooter)).state).toBe("usage-limit")
    expect(
      classify(screen(hit, "  What do you want to do?", "  ❯ 1. Stop and wait for limit to reset")).state,
    ).toBe("usage-limit")
    expect(
      classify(screen("✻ Working… (esc to interrupt)", " Do you want to proceed?", " ❯ 1. Yes")).state,
    ).toBe("busy")
    // A footer above a dialog is idle evidence too: waiting is checked first.
    expect(
      classify(screen("  ? for shortcuts", " Do you want to proceed?", " ❯ 1. Yes", "   2. No")).state,
    ).toBe("waiting")
  })

  it("a spinner followed by a done line, reply or prompt is a leftover, not busy", () => {
    const spinner = "✻ Working… (esc to interrupt)"
    expect(classify(screen(spinner, ...idleBox)).state).toBe("busy")
    expect(classify(screen(spinner, "✻ Baked for 1s", ...idleBox)).state).toBe("idle")
    expect(classify(screen(spinner, "● Done: x", ...idleBox)).state).toBe("idle")
    expect(classify(screen(spinner, "> next", ...idleBox)).state).toBe("idle")
    expect(classify(screen(`  ${spinner}`, ...idleBox)).state).toBe("idle") // quoted in a reply
  })

  it("a busy footer counts below the input line only", () => {
    const quoted = "  ⏸ manual mode on · esc to interrupt · ← for agents"
    expect(
      classify(screen("⏺ The footer then reads:", quoted, rule, "❯ ", rule, "  ⏸ manual mode on")).state,
    ).toBe("idle")
    expect(classify(screen("⏺ Working on it.", rule, "❯ ", rule, quoted)).state).toBe("busy")
  })

  it("a dialog counts below the input line/footer only", () => {
    const question = [
      "⏺ Do you want to proceed?",
      "  1. Yes, the fast way",
      "  2. No, the safe way",
      "  esc to cancel",
    ]
    expect(classify(screen(...question, ...idleBox)).state).toBe("idle")
    expect(
      classify(screen("⏺ Bash(rm -rf dist)", " Do you want to proceed?", " ❯ 1. Yes", "   2. No")).state,
    ).toBe("waiting")
  })

  it("idle: the input line under a rule is enough, without a footer", () => {
    expect(classify(screen("● Done.", rule, "❯ ", rule))).toEqual({ state: "idle", evidence: "input box: ❯" })
  })

  it("shell: a prompt on the last line wins over the dead Claude frame above it", () => {
    expect(classify(screen("✻ Working… (esc to interrupt)", ...idleBox, "dev@box:~/proj$ ")).state).toBe(
      "shell",
    )
    expect(classify(screen(hit, ...idleBox, "dev@box:~/proj$")).state).toBe("shell")
    expect(classify(screen("● Done.", rule, "❯")).state).toBe("idle") // ❯ under a rule is Claude's input line
    expect(classify(screen("~/proj on main", "❯")).state).toBe("shell")
  })

  it("a prompt with a typed command: only what is drawn below it counts", () => {
    const launch = "dev@box:~/proj$ CLAUDE_CONFIG_DIR=/a claude --resume 0b6f1c2e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
    expect(classify(screen(hit, ...idleBox, launch))).toEqual({
      state: "unknown",
      evidence: `command typed at a shell prompt: ${launch}`,
    })
    expect(classify(screen(hit, "✻ Working… (esc to interrupt)", launch, ...idleBox)).state).toBe("idle")
    expect(classify(screen(launch, "✶ Working… (esc to interrupt)", ...idleBox)).state).toBe("busy")
  })

  it("unknown when nothing is recognised", () => {
    expect(classify("make: *** [all] Error 2\n")).toEqual({
      state: "unknown",
      evidence: `no Claude Code or shell marker in the bottom ${BOTTOM_LINES} lines`,
    })
  })
})
