import { createHmac, randomUUID } from "node:crypto"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { Data, Duration, Effect, Layer, Random, Redacted, Ref, Schedule } from "effect"
import { HEADER, requestFor, shownUrl, signatureValue } from "../domain/Notification.js"
import {
  defaultRetryPolicy,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
} from "../domain/RetryPolicy.js"
import { WebhookFailed, WebhookSender } from "../services/WebhookSender.js"

/** One try that did not get a 2xx: whether the policy allows another, and the server's Retry-After. */
class TryFailed extends Data.TaggedError("TryFailed")<{
  readonly status: number | undefined
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
  readonly message: string
}> {}

/** The project's retry policy (RELIABILITY.md "Network") as a Schedule, as for secutools (SecutoolsClientHttp.ts). */
const retrySchedule = (policy: RetryPolicy) =>
  Schedule.identity<TryFailed>().pipe(
    Schedule.whileInput((e) => e.retryable),
    Schedule.zipWith(Schedule.count, (error, retry) => ({ error, retry })),
    Schedule.intersect(Schedule.recurs(Math.max(0, policy.attempts - 1))),
    Schedule.addDelayEffect(([{ error, retry }]) =>
      Effect.map(Random.next, (random) =>
        Duration.millis(retryDelay(policy, retry, random, error.retryAfterMs)),
      ),
    ),
  )

/** Webhooks over HTTP: the body of the target's format, X-Ccl-* headers, HMAC-SHA256 when a secret is set. */
export const makeWebhookSender = (policy: RetryPolicy) =>
  Effect.gen(function* () {
    // No tracer: trace headers would go to a third party's server for nothing.
    const http = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerDisabledWhen(() => true))
    const schedule = retrySchedule(policy)
    return WebhookSender.of({
      send: (webhook, notification) =>
        Effect.gen(function* () {
          const { body, headers } = requestFor(webhook, notification)
          // One delivery id for every try: a receiver that got a try whose answer was lost can drop the retry.
          const signed: Record<string, string> = {
            ...headers,
            [HEADER.event]: notification.event,
            [HEADER.delivery]: randomUUID(),
            ...(webhook.secret === undefined
              ? {}
              : {
                  [HEADER.signature]: signatureValue(
                    createHmac("sha256", Redacted.value(webhook.secret)).update(body).digest("hex"),
                  ),
                }),
          }
          const request = HttpClientRequest.post(webhook.url).pipe(
            HttpClientRequest.setHeaders(signed),
            HttpClientRequest.bodyText(body, headers["Content-Type"] ?? "text/plain; charset=utf-8"),
          )
          const tries = yield* Ref.make(0)
          const attempt = Ref.update(tries, (n) => n + 1).pipe(
            Effect.zipRight(http.execute(request)),
            Effect.mapError(
              (e) =>
                new TryFailed({
                  status: undefined,
                  retryable: true,
                  retryAfterMs: undefined,
                  message: e.reason === "Transport" ? "no answer" : e.reason,
                }),
            ),
            Effect.flatMap((response) =>
              // The body is read (and dropped) so that the connection is freed.
              Effect.zipRight(
                Effect.ignore(response.text),
                response.status >= 200 && response.status <= 299
                  ? Effect.succeed(response.status)
                  : Effect.fail(
                      new TryFailed({
                        status: response.status,
                        retryable: isRetryableStatus(response.status),
                        retryAfterMs: parseRetryAfter(response.headers["retry-after"], Date.now()),
                        message: `HTTP ${response.status}`,
                      }),
                    ),
              ),
            ),
            Effect.scoped,
            Effect.timeoutFail({
              duration: Duration.millis(policy.attemptTimeoutMs),
              onTimeout: () =>
                new TryFailed({
                  status: undefined,
                  retryable: true,
                  retryAfterMs: undefined,
                  message: `no answer within ${policy.attemptTimeoutMs} ms`,
                }),
            }),
          )
          const failed = (status: number | undefined, message: string) =>
            Effect.flatMap(
              Ref.get(tries),
              (n) => new WebhookFailed({ url: shownUrl(webhook.url), status, tries: n, message }),
            )
          const status = yield* Effect.retry(attempt, schedule).pipe(
            Effect.timeoutFail({
              duration: Duration.millis(policy.deadlineMs),
              onTimeout: () =>
                new TryFailed({
                  status: undefined,
                  retryable: false,
                  retryAfterMs: undefined,
                  message: `gave up after ${policy.deadlineMs} ms`,
                }),
            }),
            Effect.catchAll((e) => failed(e.status, e.message)),
          )
          return { status, tries: yield* Ref.get(tries) }
        }),
    })
  })

/** WebhookSender over fetch (Node's built-in), with the project's default retry policy. */
export const WebhookSenderLive = (policy: RetryPolicy = defaultRetryPolicy) =>
  Layer.effect(WebhookSender, makeWebhookSender(policy)).pipe(Layer.provide(FetchHttpClient.layer))
