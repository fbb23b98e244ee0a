// What a webhook is told (README "Notifications"): the events, the JSON body, the ntfy text, the headers. Plain
// data and strings; the HMAC itself is computed by the sender (src/layers/WebhookSenderHttp.ts).

/** The events a webhook may subscribe to, in the order the README lists them. */
export const NOTIFY_EVENTS = [
  "limit_hit",
  "failover",
  "all_exhausted",
  "resumed_at_reset",
  "task_failed",
  "needs_input",
  "session_dead",
] as const
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number]

export const isNotifyEvent = (s: string): s is NotifyEvent =>
  (NOTIFY_EVENTS as ReadonlyArray<string>).includes(s)

/** `json`: the JSON body below; `ntfy`: a plain-text body with Title/Tags/Priority headers (ntfy.sh and its kin). */
export type NotifyFormat = "json" | "ntfy"

/** One configured webhook, resolved (Settings.notify). */
export interface NotifyTarget {
  readonly url: string
  /** Subscribed events; empty: every event. */
  readonly events: ReadonlyArray<NotifyEvent>
  readonly format: NotifyFormat
  /** The environment variable `secret` was read from (`secret_env`), if one was named. */
  readonly secretEnv: string | undefined
}

/** One notification: the JSON body as it is sent (absent fields are left out). */
export interface Notification {
  readonly event: NotifyEvent
  /** ISO time of the daemon event (or of `ccl notify test`). */
  readonly at: string
  readonly account?: string | undefined
  readonly session?: string | undefined
  readonly task?: string | undefined
  /** One human line: what happened. */
  readonly detail: string
}

/** Without `format:`, a URL on ntfy.sh is an ntfy topic; a self-hosted ntfy server needs `format: ntfy`. */
export const formatOf = (url: string, format: NotifyFormat | undefined): NotifyFormat => {
  if (format !== undefined) return format
  try {
    return new URL(url).hostname.toLowerCase() === "ntfy.sh" ? "ntfy" : "json"
  } catch {
    return "json"
  }
}

export const wants = (target: NotifyTarget, event: NotifyEvent): boolean =>
  target.events.length === 0 || target.events.includes(event)

/** The JSON body, keys in a fixed order (the signature covers these exact bytes). */
export const jsonBody = (n: Notification): string =>
  JSON.stringify({
    event: n.event,
    at: n.at,
    ...(n.account === undefined ? {} : { account: n.account }),
    ...(n.session === undefined ? {} : { session: n.session }),
    ...(n.task === undefined ? {} : { task: n.task }),
    detail: n.detail,
  })

const TITLES: Record<NotifyEvent, string> = {
  limit_hit: "usage limit hit",
  failover: "failover",
  all_exhausted: "every account exhausted",
  resumed_at_reset: "resumed at the reset",
  task_failed: "task failed",
  needs_input: "needs input",
  session_dead: "session died",
}
// ntfy's emoji short codes and priorities (1 min .. 5 max, 3 default): the operator's phone buzzes louder when
// nothing runs until someone acts.
const TAGS: Record<NotifyEvent, string> = {
  limit_hit: "warning",
  failover: "arrows_counterclockwise",
  all_exhausted: "rotating_light",
  resumed_at_reset: "white_check_mark",
  task_failed: "x",
  needs_input: "raising_hand",
  session_dead: "skull",
}
const PRIORITY: Record<NotifyEvent, number> = {
  limit_hit: 3,
  failover: 3,
  all_exhausted: 4,
  resumed_at_reset: 3,
  task_failed: 3,
  needs_input: 4,
  session_dead: 3,
}

/** HTTP header values are Latin-1 at best: anything outside printable ASCII becomes `?`. */
const headerText = (s: string): string => s.replace(/[^\x20-\x7e]/g, "?").slice(0, 200)

/** The ntfy message: the title (`ccl: task failed: build`), the body text, and the headers ntfy reads. */
export const ntfyMessage = (
  n: Notification,
): { readonly body: string; readonly headers: Readonly<Record<string, string>> } => {
  const subject = n.task ?? n.session ?? n.account
  const where = [
    n.account === undefined ? undefined : `account ${n.account}`,
    n.session === undefined ? undefined : `session ${n.session}`,
    n.task === undefined ? undefined : `task ${n.task}`,
  ].filter((s) => s !== undefined)
  return {
    body: `${n.detail}${where.length === 0 ? "" : `\n${where.join(", ")}`}\n${n.at}`,
    headers: {
      Title: headerText(`ccl: ${TITLES[n.event]}${subject === undefined ? "" : `: ${subject}`}`),
      Tags: TAGS[n.event],
      Priority: String(PRIORITY[n.event]),
    },
  }
}

/** The request a notification becomes for a target, before signing: its body and content headers. */
export const requestFor = (
  target: NotifyTarget,
  n: Notification,
): { readonly body: string; readonly headers: Readonly<Record<string, string>> } =>
  target.format === "ntfy"
    ? ntfyMessage(n)
    : { body: jsonBody(n), headers: { "Content-Type": "application/json" } }

/** Header names of every delivery; the signature is `sha256=<hex HMAC-SHA256(secret, raw body)>`. */
export const HEADER = {
  event: "X-Ccl-Event",
  delivery: "X-Ccl-Delivery",
  signature: "X-Ccl-Signature",
} as const
export const signatureValue = (hex: string): string => `sha256=${hex}`

/** A webhook's URL as logs and the CLI show it: its origin only (Slack-style URLs carry a token in the path). */
export const shownUrl = (url: string): string => {
  try {
    const u = new URL(url)
    return u.pathname === "/" && u.search === "" ? u.origin : `${u.origin}/…`
  } catch {
    return "(not a URL)"
  }
}

/** The first webhook whose `secret_env` names an unset (or empty) variable, as an error message; undefined if none. */
export const missingSecret = (
  webhooks: ReadonlyArray<NotifyTarget & { readonly secret: unknown }>,
): string | undefined => {
  const i = webhooks.findIndex((w) => w.secretEnv !== undefined && w.secret === undefined)
  if (i < 0) return undefined
  const w = webhooks[i]!
  return `notify[${i}] (${shownUrl(w.url)}): secret_env names ${w.secretEnv}, which is not set in the environment: export it, or remove secret_env to send unsigned`
}
