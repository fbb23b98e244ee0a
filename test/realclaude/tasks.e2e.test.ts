// Tasks through the real Claude Code 2.1.332: hostile and long bodies arrive literally, each prompt is one API
// request turn, footers carry the session, the account and the Stop hook's text, and /clear (with its real
// completion menu) gives every task a conversation of its own.

import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { parseFooter } from "../../src/domain/ResultFooter.js"
import { eventually } from "../support/tmux.js"
import { startedProject, tokenOf } from "./realClaude.js"

const TOKEN = "realclaude-tasks"

const LONG = Array.from(
  { length: 300 },
  (_, i) => `line ${String(i + 1).padStart(3, "0")} of the long task`,
).join("\n")
const TASKS: ReadonlyArray<readonly [string, string]> = [
  ["t-plain", "marker-plain: summarise the README"],
  ["t-shell", "marker-shell: ; rm -rf ~ ; echo `whoami` $(id -u) && exit"],
  ["t-keys", "marker-keys: press Enter then C-c then Escape; send-keys -t x Enter ;"],
  ["t-bracket", "marker-bracket: before \u001b[201~ after \u0003 end"],
  ["t-quotes", "marker-quotes: 'single' \"double\" \\back\\slash # %s %n {brace}"],
  ["t-long", `marker-long: the first line\n${LONG}`],
  ["t-unicode", "marker-unicode: héllo → 世界 ✓"],
]

describe("real Claude Code: tasks", () => {
  it.live(
    "7 tasks (hostile, 300 lines) into 2 pool sessions: one API request each, text literal, footers from the Stop hook, /clear between",
    () =>
      Effect.gen(function* () {
        const p = yield* startedProject({ poolSize: 2, token: TOKEN }, ["ccl-pool-1", "ccl-pool-2"])
        for (const [id, text] of TASKS) {
          const added = yield* Effect.promise(() => p.ccl(["queue", "add", "--id", id, "--text", text]))
          expect(added.code, added.stderr).toBe(0)
        }
        yield* Effect.promise(() =>
          eventually(
            () => (TASKS.every(([id]) => p.ls("done").includes(`${id}.md`)) ? true : undefined),
            180_000,
            () => `${p.ls("pending")} ${p.ls("active")} ${p.ls("done")}\n${p.log()}`,
          ),
        )
        expect(p.ls("failed")).toEqual([])
        const sessionIds = new Set<string>()
        for (const [id, text] of TASKS) {
          const marker = text.slice(0, text.indexOf(":"))
          // One request turn: exactly one Messages API request carries this task's prompt.
          const requests = p.mock.promptsWith(marker)
          expect(requests, `${id}: ${JSON.stringify(requests)}`).toHaveLength(1)
          const request = requests[0]!
          expect(request.status).toBe(200)
          expect(request.token).toBe(tokenOf(p.homes.main!))
          sessionIds.add(request.session_id ?? "")
          // The footer: session, account, and the reply as the Stop hook's last_assistant_message.
          const file = readFileSync(`${p.dir}/queue/done/${id}.md`, "utf8")
          const { footer } = parseFooter(file)!
          expect(footer).toMatchObject({ status: "completed", account: "main", attempt: 1 })
          expect(footer.session).toMatch(/^ccl-pool-[12]$/)
          expect(footer.text).toBe(request.reply)
        }
        // /clear before each task: every task ran in a conversation of its own.
        expect(sessionIds.size).toBe(TASKS.length)

        // Literal text: what the model received is the task body (ESC and C0 bytes stripped), as ccl sent it.
        const prompts = p.mock.messages().map((r) => r.prompt ?? "")
        expect(prompts.some((x) => x.includes("; rm -rf ~ ; echo `whoami` $(id -u) && exit"))).toBe(true)
        expect(
          prompts.some((x) => x.includes("press Enter then C-c then Escape; send-keys -t x Enter ;")),
        ).toBe(true)
        expect(prompts.some((x) => x.includes("before [201~ after  end"))).toBe(true)
        expect(prompts.some((x) => x.includes("'single' \"double\" \\back\\slash # %s %n {brace}"))).toBe(
          true,
        )
        expect(prompts.some((x) => x.includes("héllo → 世界 ✓"))).toBe(true)
        // The 300-line body, whole, in the conversation's transcript.
        const long = p.transcripts().find((t) => JSON.stringify(t.entries).includes("marker-long"))
        expect(long).toBeDefined()
        const userText = JSON.stringify(long!.entries.filter((e) => e.type === "user"))
        for (const n of [1, 150, 300])
          expect(userText).toContain(`line ${String(n).padStart(3, "0")} of the long task`)
        // Nothing reached a shell: no stray command ran in the sessions.
        for (const name of ["ccl-pool-1", "ccl-pool-2"])
          expect(p.server.tmux("capture-pane", "-p", "-t", `=${name}:`)).not.toContain("command not found")
      }),
    240_000,
  )
})
