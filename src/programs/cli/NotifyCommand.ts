import { Command, Options } from "@effect/cli"
import { Clock, Console, Effect, Layer, Option } from "effect"
import {
  isNotifyEvent,
  missingSecret,
  NOTIFY_EVENTS,
  type Notification,
  shownUrl,
} from "../../domain/Notification.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { WebhookSenderLive } from "../../layers/WebhookSenderHttp.js"
import { AppConfig } from "../../services/AppConfig.js"
import { WebhookSender } from "../../services/WebhookSender.js"
import { badInput, failure } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

/**
 * `ccl notify test [--event NAME]`: one test notification to every configured webhook (whatever events it
 * subscribes to), straight from the CLI with the daemon's sender and retries; each webhook's status. Exit 1 if
 * any was not delivered.
 */
const testCommand = Command.make(
  "test",
  {
    // Text, not a choice: seven names would take the usage line past 80 columns.
    event: Options.text("event").pipe(
      Options.withDefault("limit_hit"),
      Options.withDescription(
        `the event the test notification says: ${NOTIFY_EVENTS.join(", ")} (default limit_hit)`,
      ),
    ),
    json: jsonOption,
    config: configOption,
  },
  ({ event, json }) =>
    Effect.gen(function* () {
      if (!isNotifyEvent(event))
        return yield* badInput(`notify test: --event: "${event}" is not one of ${NOTIFY_EVENTS.join(", ")}`)
      const { notify } = yield* AppConfig
      if (notify.length === 0)
        return yield* badInput("no webhook configured: add notify: [{ url: ... }] to ccl.yaml")
      const missing = missingSecret(notify)
      if (missing !== undefined) return yield* badInput(missing)
      const sender = yield* WebhookSender
      const notification: Notification = {
        event,
        at: new Date(yield* Clock.currentTimeMillis).toISOString(),
        detail: `test notification from ccl notify test (a ${event} event, nothing happened)`,
      }
      const results = yield* Effect.forEach(
        notify,
        (webhook) =>
          sender.send(webhook, notification).pipe(
            Effect.map(({ status, tries }) => ({ url: shownUrl(webhook.url), ok: true, status, tries })),
            Effect.catchAll((e) =>
              Effect.succeed({
                url: e.url,
                ok: false,
                status: e.status ?? null,
                tries: e.tries,
                error: e.message,
              }),
            ),
          ),
        { concurrency: "unbounded" },
      )
      if (json) yield* Console.log(JSON.stringify(results))
      else
        for (const r of results)
          yield* Console.log(
            `${r.url}: ${r.ok ? `${r.status}` : `not delivered: ${"error" in r ? r.error : ""}`} (${r.tries} ${r.tries === 1 ? "try" : "tries"})`,
          )
      const failed = results.filter((r) => !r.ok).length
      if (failed > 0) return yield* failure(`${failed} of ${results.length} webhooks not delivered`)
    }),
).pipe(
  Command.withDescription(
    "Send one test notification to every configured webhook and show each one's status",
  ),
  Command.provide(({ config }) =>
    Layer.merge(AppConfigLive(Option.getOrUndefined(config)), WebhookSenderLive()),
  ),
)

export const notifyCommand = Command.make("notify").pipe(
  Command.withDescription("Webhook notifications (notify: in ccl.yaml)"),
  Command.withSubcommands([testCommand]),
)
