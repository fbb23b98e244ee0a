// `ccl sim-agent`: a stand-in for Claude Code 2.1 in a tmux pane, so ccl can be tested and demoed without
// spending quota. It reproduces what ccl observes: the screen, the transcript JSONL, the live status file
// (`<config>/sessions/<pid>.json`), the SessionStart, UserPromptSubmit, Stop and StopFailure hooks and the statusLine.
//
// One fiber owns all state and handles events one at a time from a queue: terminal reads, the turn clock,
// the escape-key timeout and signals. Everything it does in between is synchronous, so there are no races.

import { randomUUID } from "node:crypto"
import { Effect, FiberHandle, Queue } from "effect"
import { type ConversationNotFound, freshConversation, loadConversation } from "./SimAgentConversation.js"
import type { AgentEvent } from "./SimAgentEvent.js"
import { acquireStatusFile, agentFiles } from "./SimAgentFiles.js"
import { Agent } from "./SimAgentMachine.js"
import type { SimAgentOptions } from "./SimAgentOptions.js"
import { makeStatusLine } from "./SimAgentStatusLine.js"
import { acquireSignals, acquireTerminal } from "./SimAgentTerminal.js"

export { ConversationNotFound } from "./SimAgentConversation.js"
export type { SimAgentOptions } from "./SimAgentOptions.js"

/**
 * Runs the simulated agent on this process's terminal until /exit, Ctrl-C or Ctrl-D on an empty prompt (0),
 * or a hangup. Returns the exit code; fails only when `--resume` names a conversation that does not exist.
 */
export const runSimAgent = (options: SimAgentOptions): Effect.Effect<number, ConversationNotFound> =>
  Effect.gen(function* () {
    const files = agentFiles(options)
    const conversation =
      options.resume === undefined
        ? freshConversation(options.sessionId ?? randomUUID())
        : yield* loadConversation(files, options.resume, options.configDir)
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const events = yield* Queue.unbounded<AgentEvent>()
        const offer = (e: AgentEvent) => {
          Queue.unsafeOffer(events, e)
        }
        yield* acquireTerminal(offer)
        yield* acquireSignals(offer)
        const writeStatus = yield* acquireStatusFile(files.status)
        const turnClock = yield* FiberHandle.make<void, never>()
        const escapeTimer = yield* FiberHandle.make<void, never>()
        const statusLine = makeStatusLine(files, options.cwd)
        const io = { options, files, events, writeStatus, turnClock, escapeTimer, statusLine }
        const agent = new Agent(io, conversation)
        agent.start()
        const outcome = yield* Queue.take(events).pipe(
          Effect.flatMap(agent.handle),
          Effect.repeat({ until: (o): o is number => o !== undefined }),
        )
        return outcome ?? 0
      }),
    )
  })
