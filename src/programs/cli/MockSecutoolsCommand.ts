import { Command, Options } from "@effect/cli"
import { Option } from "effect"
import { startMockSecutools } from "../MockSecutools.js"
import { serveMock } from "./serveMock.js"

const count = (name: string, description: string) =>
  Options.integer(name).pipe(Options.withDescription(description), Options.withDefault(0))

/** `ccl mock-secutools`: a local secutools server (same contract, jobs in memory) until interrupted. */
export const mockSecutoolsCommand = Command.make(
  "mock-secutools",
  {
    port: Options.integer("port").pipe(
      Options.withDescription("port to listen on, 127.0.0.1 only (0: a random free port)"),
      Options.withDefault(0),
    ),
    key: Options.text("key").pipe(
      Options.withDescription("require Authorization: Bearer <key> on every request"),
      Options.optional,
    ),
    jobMs: Options.integer("job-ms").pipe(
      Options.withDescription("how long a job takes, in milliseconds"),
      Options.withDefault(200),
    ),
    failFirst: count("fail-first", "answer the first N requests with 500"),
    rateLimitFirst: count("rate-limit-first", "answer the first N requests with 429 and Retry-After: 1"),
    hangFirst: count("hang-first", "accept the first N requests and never answer them"),
  },
  ({ port, key, jobMs, failFirst, rateLimitFirst, hangFirst }) =>
    serveMock(
      startMockSecutools({
        host: "127.0.0.1",
        port,
        jobMs,
        failFirst,
        rateLimitFirst,
        hangFirst,
        ...(Option.isSome(key) ? { key: key.value } : {}),
      }),
    ),
).pipe(
  Command.withDescription(
    "Run a mock secutools server (POST /v1/jobs, GET /v1/jobs/{id}, GET /_mock/stats) with injectable faults until interrupted",
  ),
)
