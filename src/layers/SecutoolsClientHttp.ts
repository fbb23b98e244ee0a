import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import {
  Clock,
  Duration,
  Effect,
  Either,
  Layer,
  type ParseResult,
  Random,
  type Redacted,
  Ref,
  Schedule,
  Schema,
} from "effect"
import { isTerminal, Job, type JobRequest, SubmitAccepted } from "../domain/Job.js"
import { isRetryableStatus, parseRetryAfter, type RetryPolicy, retryDelay } from "../domain/RetryPolicy.js"
import { AppConfig } from "../services/AppConfig.js"
import {
  DelegationDisabled,
  SecutoolsClient,
  SecutoolsDecodeError,
  type SecutoolsError,
  SecutoolsHttpError,
  SecutoolsTimeout,
  SecutoolsTransportError,
} from "../services/SecutoolsClient.js"

export interface SecutoolsHttpOptions {
  /** Base URL; `/v1/jobs` is appended. */
  readonly url: string
  readonly apiKey: Redacted.Redacted<string>
  readonly policy: RetryPolicy
}

type Decode<A> = (body: unknown) => Either.Either<A, ParseResult.ParseError>

const isRetryable = (e: SecutoolsError): boolean =>
  e._tag === "SecutoolsTransportError" || (e._tag === "SecutoolsHttpError" && e.retryable)

/**
 * The named retry policy as a Schedule: retryable errors only, at most `attempts - 1` retries, each after a
 * full-jitter backoff with the server's Retry-After as a floor.
 */
export const retrySchedule = (policy: RetryPolicy) =>
  Schedule.identity<SecutoolsError>().pipe(
    Schedule.whileInput(isRetryable),
    Schedule.zipWith(Schedule.count, (error, retry) => ({ error, retry })),
    Schedule.intersect(Schedule.recurs(Math.max(0, policy.attempts - 1))),
    Schedule.addDelayEffect(([{ error, retry }]) =>
      Effect.map(Random.next, (random) =>
        Duration.millis(
          retryDelay(
            policy,
            retry,
            random,
            error._tag === "SecutoolsHttpError" ? error.retryAfterMs : undefined,
          ),
        ),
      ),
    ),
  )

/** The server's message from an error body (`{"error": ...}` or `{"message": ...}`), one line, bounded. */
const serverMessage = (body: string, status: number): string => {
  let text = body
  try {
    const json = JSON.parse(body) as { error?: unknown; message?: unknown }
    const m = json.error ?? json.message
    if (typeof m === "string") text = m
  } catch {}
  const line = text.replace(/\s+/g, " ").trim().slice(0, 300)
  return line === "" ? `HTTP ${status}` : line
}

const transportMessage = (e: HttpClientError.HttpClientError): string =>
  `${e.reason === "Transport" ? "no answer" : e.reason} from ${e.request.method} ${e.request.url}${
    e._tag === "RequestError" && e.cause instanceof Error ? `: ${e.cause.message}` : ""
  }`

/** secutools over HTTP: bearer auth, Idempotency-Key on submit, Schema-decoded bodies, retries per policy. */
export const makeSecutoolsClientHttp = (options: SecutoolsHttpOptions) =>
  Effect.gen(function* () {
    const base = options.url.replace(/\/+$/, "")
    const http = (yield* HttpClient.HttpClient).pipe(
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(base),
          HttpClientRequest.bearerToken(options.apiKey),
          HttpClientRequest.acceptJson,
        ),
      ),
      // ccl installs no tracer: a span per call (and trace headers sent to secutools) would be pure cost, and the
      // reaper makes one call per job per cycle.
      HttpClient.withTracerDisabledWhen(() => true),
    )
    const retries = yield* Ref.make(0)
    const { policy } = options
    const schedule = retrySchedule(policy)

    /** Built once per schema: building the parseJson decoder is most of the cost of decoding a small body. */
    const decoderOf = <A, I>(schema: Schema.Schema<A, I>): Decode<A> =>
      Schema.decodeUnknownEither(Schema.parseJson(schema))
    const decodeJob = decoderOf(Job)
    const decodeAccepted = decoderOf(SubmitAccepted)

    const decodeBody =
      <A>(decode: Decode<A>) =>
      (response: HttpClientResponse.HttpClientResponse) =>
        Effect.gen(function* () {
          const body = yield* response.text.pipe(
            Effect.mapError((e) => new SecutoolsTransportError({ message: transportMessage(e) })),
          )
          if (response.status < 200 || response.status > 299) {
            return yield* new SecutoolsHttpError({
              status: response.status,
              message: serverMessage(body, response.status),
              retryable: isRetryableStatus(response.status),
              retryAfterMs: parseRetryAfter(response.headers["retry-after"], Date.now()),
            })
          }
          const decoded = decode(body)
          if (Either.isLeft(decoded)) {
            const first = decoded.left.message.split("\n")[0]
            return yield* new SecutoolsDecodeError({
              message: `unexpected body from ${response.request.method} ${response.request.url}: ${first}`,
            })
          }
          return decoded.right
        })

    /**
     * One try (bounded by the per-attempt timeout), retried per policy, bounded by the overall deadline. Most calls
     * succeed at once (the reaper makes one per job per cycle): the retry machinery (a schedule driver, the
     * deadline's timer) is only set up after a first retryable failure, which the schedule then sees first, as
     * `Effect.retry` would have shown it. The first try alone needs no deadline when it is the shorter bound.
     */
    const call = <A>(request: HttpClientRequest.HttpClientRequest, decode: Decode<A>) => {
      let tries = 0
      const countRetry = Effect.suspend(() => (tries++ > 0 ? Ref.update(retries, (n) => n + 1) : Effect.void))
      const attempt = countRetry.pipe(
        Effect.zipRight(http.execute(request)),
        Effect.mapError((e) => new SecutoolsTransportError({ message: transportMessage(e) })),
        Effect.flatMap(decodeBody(decode)),
        // The timeouts must fire even when the caller runs in an uninterruptible region.
        Effect.interruptible,
        Effect.timeoutFail({
          duration: Duration.millis(policy.attemptTimeoutMs),
          onTimeout: () =>
            new SecutoolsTransportError({
              message: `no answer from ${request.method} ${base}${request.url} within ${policy.attemptTimeoutMs} ms`,
            }),
        }),
      )
      const withDeadline = (effect: Effect.Effect<A, SecutoolsError>, ms: number) =>
        effect.pipe(
          Effect.interruptible,
          Effect.timeoutFail({
            duration: Duration.millis(Math.max(0, ms)),
            onTimeout: () =>
              new SecutoolsTimeout({
                message: `${request.method} ${base}${request.url}: gave up after ${policy.deadlineMs} ms`,
              }),
          }),
        )
      if (policy.attemptTimeoutMs > policy.deadlineMs)
        return withDeadline(Effect.retry(attempt, schedule), policy.deadlineMs)
      return Effect.flatMap(Clock.currentTimeMillis, (start) =>
        Effect.catchAll(attempt, (first) => {
          if (!isRetryable(first)) return Effect.fail(first)
          let replay = true
          const again = Effect.suspend(() => {
            if (!replay) return attempt
            replay = false
            return Effect.fail(first)
          })
          return Effect.flatMap(Clock.currentTimeMillis, (now) =>
            withDeadline(Effect.retry(again, schedule), policy.deadlineMs - (now - start)),
          )
        }),
      )
    }

    const getJob = (jobId: string) =>
      call(HttpClientRequest.get(`/v1/jobs/${encodeURIComponent(jobId)}`), decodeJob)

    return SecutoolsClient.of({
      submitJob: (request: JobRequest) =>
        call(
          HttpClientRequest.post("/v1/jobs").pipe(
            HttpClientRequest.setHeader("Idempotency-Key", request.idempotencyKey),
            HttpClientRequest.bodyUnsafeJson({
              provider: request.provider,
              prompt: request.prompt,
              metadata: request.metadata,
            }),
          ),
          decodeAccepted,
        ),
      getJob,
      waitForResult: (jobId, { intervalMs, timeoutMs }) => {
        const poll: Effect.Effect<Job, SecutoolsError> = Effect.flatMap(getJob(jobId), (job) =>
          isTerminal(job.status)
            ? Effect.succeed(job)
            : Effect.zipRight(
                Effect.sleep(Duration.millis(intervalMs)),
                Effect.suspend(() => poll),
              ),
        )
        return poll.pipe(
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () =>
              new SecutoolsTimeout({ message: `job ${jobId} not finished after ${timeoutMs} ms` }),
          }),
        )
      },
      retries: Ref.get(retries),
    })
  })

/** SecutoolsClient over HTTP; provide an HttpClient (FetchHttpClient.layer in the CLI). */
export const SecutoolsClientHttp = (options: SecutoolsHttpOptions) =>
  Layer.effect(SecutoolsClient, makeSecutoolsClientHttp(options))

/** The configured client: over fetch (Node's built-in), failing with DelegationDisabled when no key is set. */
export const SecutoolsClientFromConfig = Layer.unwrapEffect(
  Effect.gen(function* () {
    const { delegation } = yield* AppConfig
    if (delegation.apiKey === undefined) return yield* new DelegationDisabled()
    return SecutoolsClientHttp({
      url: delegation.url,
      apiKey: delegation.apiKey,
      policy: delegation.retry,
    }).pipe(Layer.provide(FetchHttpClient.layer))
  }),
)
