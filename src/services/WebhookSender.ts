import { Context, Data, type Effect, type Redacted } from "effect"
import type { Notification, NotifyTarget } from "../domain/Notification.js"

/** A webhook with its secret, as Settings.notify holds it. */
export type Webhook = NotifyTarget & { readonly secret: Redacted.Redacted<string> | undefined }

/** A notification not delivered, after every retry the policy allows: the last status (if any) and why. */
export class WebhookFailed extends Data.TaggedError("WebhookFailed")<{
  readonly url: string
  readonly status: number | undefined
  readonly tries: number
  readonly message: string
}> {}

/** Posts notifications to webhooks (README "Notifications"): signed, retried per the project's policy. */
export class WebhookSender extends Context.Tag("ccl/WebhookSender")<
  WebhookSender,
  {
    /** One notification to one webhook; the 2xx status it finally got and how many tries it took. */
    readonly send: (
      webhook: Webhook,
      notification: Notification,
    ) => Effect.Effect<{ readonly status: number; readonly tries: number }, WebhookFailed>
  }
>() {}
