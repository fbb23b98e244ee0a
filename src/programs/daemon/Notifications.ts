import { Effect, Queue } from "effect"
import { missingSecret, type Notification, shownUrl, wants } from "../../domain/Notification.js"
import { emptyNotifyMemory, notificationOf } from "../../domain/NotificationEvents.js"
import { WebhookSenderLive } from "../../layers/WebhookSenderHttp.js"
import { AppConfig, ConfigInvalid } from "../../services/AppConfig.js"
import { DaemonEvents } from "../../services/DaemonEvents.js"
import { WebhookSender } from "../../services/WebhookSender.js"

/** Notifications waiting for one webhook; past this a new one is dropped (and logged): memory stays bounded. */
export const OUTBOX_SIZE = 100

/**
 * The daemon's webhooks (README "Notifications"): its events mapped to notifications (NotificationEvents.ts), each
 * offered to the outbox of every webhook that wants it. One fiber per webhook delivers in order, with retries; the
 * daemon never waits for any of it (a full outbox drops, a slow webhook delays only its own outbox).
 */
export const runNotifications = Effect.gen(function* () {
  const { notify } = yield* AppConfig
  if (notify.length === 0) return
  const missing = missingSecret(notify)
  if (missing !== undefined) return yield* new ConfigInvalid({ message: missing })
  const events = yield* DaemonEvents
  // The service taken out of its layer: the layer holds no resource, its lifetime is not the daemon's.
  const sender = yield* Effect.provide(WebhookSender, WebhookSenderLive())
  // Subscribed now, before the start-up publishes anything.
  const stream = yield* events.subscribe
  const outboxes = yield* Effect.forEach(notify, (webhook) =>
    Effect.gen(function* () {
      const outbox = yield* Queue.dropping<Notification>(OUTBOX_SIZE)
      const url = shownUrl(webhook.url)
      const deliver = Effect.flatMap(Queue.take(outbox), (n) =>
        sender.send(webhook, n).pipe(
          Effect.flatMap(({ status, tries }) =>
            Effect.logDebug(`notification ${n.event} to ${url}: ${status} (${tries} tries)`),
          ),
          Effect.catchAll((e) =>
            Effect.logWarning(
              `notification ${n.event} to ${url} not delivered after ${e.tries} tries: ${e.message}`,
            ),
          ),
        ),
      )
      yield* Effect.forkScoped(Effect.forever(deliver))
      return { webhook, outbox, url }
    }),
  )
  let memory = emptyNotifyMemory
  const route = Effect.flatMap(Queue.take(stream), (envelope) => {
    const mapped = notificationOf(memory, envelope)
    memory = mapped.memory
    const n = mapped.notification
    if (n === undefined) return Effect.void
    return Effect.forEach(
      outboxes.filter((o) => wants(o.webhook, n.event)),
      (o) =>
        Effect.flatMap(Queue.offer(o.outbox, n), (taken) =>
          taken
            ? Effect.void
            : Effect.logWarning(
                `notification ${n.event} to ${o.url} dropped: ${OUTBOX_SIZE} already waiting (is the webhook down?)`,
              ),
        ),
      { discard: true },
    )
  })
  yield* Effect.forkScoped(Effect.forever(route))
  yield* Effect.logInfo(`notifications: ${outboxes.map((o) => o.url).join(", ")}`)
})
