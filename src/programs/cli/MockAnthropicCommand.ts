import { Command, Options } from "@effect/cli"
import { Console, Effect, Option } from "effect"
import { startMockAnthropic } from "../MockAnthropic.js"
import { badInput, failure } from "./failure.js"

const millis = (name: string, description: string, fallback: number) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.withDefault(fallback))

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
  ({ port, limitTokens, resetIn, weeklyResetIn, log, replyMs }) =>
    Effect.scoped(
      Effect.gen(function* () {
        const numbers = {
          "--port": port,
          "--reset-in": resetIn,
          "--weekly-reset-in": weeklyResetIn,
          "--reply-ms": replyMs,
        }
        for (const [flag, value] of Object.entries(numbers))
          if (value < 0) return yield* Effect.fail(badInput(`${flag} must be 0 or more, got ${value}`))
        if (port > 65535) return yield* Effect.fail(badInput(`--port must be at most 65535, got ${port}`))
        if (limitTokens.some((t) => t === ""))
          return yield* Effect.fail(badInput("--limit-token must not be empty"))
        const handle = yield* startMockAnthropic({
          port,
          limitTokens,
          resetInMs: resetIn,
          weeklyResetInMs: weeklyResetIn,
          replyMs,
          ...(Option.isSome(log) ? { logFile: log.value } : {}),
        }).pipe(
          Effect.mapError((e) => (e.reason === "InvalidOptions" ? badInput(e.message) : failure(e.message))),
        )
        yield* Console.log(`listening on ${handle.url}`)
        return yield* Effect.never
      }),
    ),
).pipe(
  Command.withDescription(
    "Run a mock Anthropic Messages API (POST /v1/messages, streaming or not; [work=MS], [limit], [overloaded] " +
      "triggers; /_mock/limit, /_mock/stats, /_mock/requests) until interrupted",
  ),
)
