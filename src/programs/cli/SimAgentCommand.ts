import * as os from "node:os"
import * as path from "node:path"
import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { isValidResumeUUID } from "../../domain/ResumeId.js"
import { runSimAgent } from "../SimAgent.js"
import { badInput } from "./failure.js"

const uuidOption = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

/** A flag value that must be a conversation UUID, else bad usage (exit 2). */
const checkUUID = (flag: string, value: Option.Option<string>) =>
  Option.isSome(value) && !isValidResumeUUID(value.value)
    ? Effect.fail(badInput(`${flag} must be a UUID, got ${JSON.stringify(value.value)}`))
    : Effect.void

/** `CLAUDE_CONFIG_DIR`, else `~/.claude`, as Claude Code reads it. */
const configDirFromEnv = (): string => {
  const dir = process.env.CLAUDE_CONFIG_DIR
  return dir === undefined || dir === "" ? path.join(os.homedir(), ".claude") : path.resolve(dir)
}

/**
 * `ccl sim-agent`: behaves like Claude Code 2.1 on screen, in its transcript, status file and hooks, for tests
 * and demos that spend no quota. Run it in a terminal (a tmux pane).
 */
export const simAgentCommand = Command.make(
  "sim-agent",
  {
    sessionId: uuidOption("session-id", "id of the new conversation (a UUID; default: a random one)"),
    resume: uuidOption("resume", "continue the conversation with this UUID (its transcript must exist)"),
    workMs: Options.integer("work-ms").pipe(
      Options.withDescription("how long each turn works, in milliseconds"),
      Options.withDefault(300),
    ),
    skipPermissions: Options.boolean("dangerously-skip-permissions").pipe(
      Options.withDescription("accepted and ignored (Claude Code's flag, so command lines stay the same)"),
    ),
  },
  ({ sessionId, resume, workMs }) =>
    Effect.gen(function* () {
      yield* checkUUID("--session-id", sessionId)
      yield* checkUUID("--resume", resume)
      if (Option.isSome(sessionId) && Option.isSome(resume)) {
        return yield* Effect.fail(badInput("--session-id and --resume cannot be used together"))
      }
      if (workMs < 0) return yield* Effect.fail(badInput(`--work-ms must be 0 or more, got ${workMs}`))
      // Claude Code 2.1.332 records its pane as `<session>:@<window>.<pane>`; the session name comes from ccl.
      const pane = process.env.TMUX_PANE
      const tmuxPane =
        pane === undefined || pane === "" ? undefined : `${process.env.CCL_SESSION ?? "0"}:@0.${pane}`
      const code = yield* runSimAgent({
        workMs,
        configDir: configDirFromEnv(),
        cwd: process.cwd(),
        ...(Option.isSome(sessionId) ? { sessionId: sessionId.value } : {}),
        ...(Option.isSome(resume) ? { resume: resume.value } : {}),
        ...(tmuxPane === undefined ? {} : { tmuxPane }),
      }).pipe(
        // Claude Code's own words, without ccl's "ccl: " prefix: screens and scripts may look for them.
        Effect.catchTag("ConversationNotFound", (e) => Console.error(e.message).pipe(Effect.as(1))),
      )
      // The command itself succeeds (the CLI returns 0 and lets the process end once the terminal is
      // released): the agent's own exit code, like Claude Code's, is the process's exit code.
      if (code !== 0) {
        yield* Effect.sync(() => {
          process.exitCode = code
        })
      }
    }),
).pipe(
  Command.withDescription(
    "Simulate a Claude Code session (screens, transcript, status file, hooks) without spending quota",
  ),
)
