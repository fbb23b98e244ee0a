import { Command, Options } from "@effect/cli"
import { Effect, Option } from "effect"
import { startMockAnthropic } from "../MockAnthropic.js"
import { badInput } from "./failure.js"
import { serveMock } from "./serveMock.js"

const millis = (name: string, description: string, fallback: number) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.withDefault(fallback))

/** What is wrong with the options, as the one line to print, or undefined. */
const optionProblem = (o: {
  readonly port: number
  readonly resetIn: number
  readonly weeklyResetIn: number
  readonly replyMs: number
  readonly limitTokens: ReadonlyArray<string>
}): string | undefined => {
  const numbers = {
    "--port": o.port,
    "--reset-in": o.resetIn,
    "--weekly-reset-in": o.weeklyResetIn,
    "--reply-ms": o.replyMs,
  }
  for (const [flag, value] of Object.entries(numbers))
    if (value < 0) return `${flag} must be 0 or more, got ${value}`
  if (o.port > 65535) return `--port must be at most 65535, got ${o.port}`
  if (o.limitTokens.some((t) => t === "")) return "--limit-token must not be empty"
  return undefined
}

/** `ccl mock-anthropic`: a local Anthropic Messages API for the real Claude Code, until interrupted. */
export const mockAnthropicCommand = Command.make(
  "mock-anthropic",
  {
    port: Options.integer("port").pipe(
      Options.withDescription("port to listen on, 127.0.0.1 only (0: a random free port)"),
      Options.withDefault(0),
    ),
    limitTokens: Options.text("limit-token").pipe(
      Options.withDescription("answer the 5-hour limit (429) to every token containing this (repeatable)"),
      Options.repeated,
    ),
    resetIn: millis("reset-in", "when a 5-hour limit resets, in milliseconds from now", 2 * 3600_000),
    weeklyResetIn: millis("weekly-reset-in", "when a weekly limit resets, in milliseconds", 3 * 86400_000),
    log: Options.text("log").pipe(
      Options.withDescription("append one JSON line per request to this file (0600; it holds the tokens)"),
      Options.optional,
    ),
    replyMs: millis(
      "reply-ms",
      "latency before every answer, in milliseconds (a prompt's [work=MS] wins)",
      0,
    ),
  },
  ({ port, limitTokens, resetIn, weeklyResetIn, log, replyMs }) => {
    const problem = optionProblem({ port, resetIn, weeklyResetIn, replyMs, limitTokens })
    return problem !== undefined
      ? Effect.fail(badInput(problem))
      : serveMock(
          startMockAnthropic({
            port,
            limitTokens,
            resetInMs: resetIn,
            weeklyResetInMs: weeklyResetIn,
            replyMs,
            ...(Option.isSome(log) ? { logFile: log.value } : {}),
          }),
        )
  },
).pipe(
  Command.withDescription(
    "Run a mock Anthropic Messages API (POST /v1/messages, streaming or not; [work=MS], [limit], [overloaded] " +
      "triggers; /_mock/limit, /_mock/stats, /_mock/requests) until interrupted",
  ),
)
