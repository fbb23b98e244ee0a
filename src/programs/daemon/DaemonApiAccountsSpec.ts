import * as HttpApiEndpoint from "@effect/platform/HttpApiEndpoint"
import * as HttpApiGroup from "@effect/platform/HttpApiGroup"
import { Schema } from "effect"

/** One window of an account's quota: used % (0-100) and when it resets (ISO), when known. */
export const WindowView = Schema.Struct({
  used_percentage: Schema.Number,
  resets_at: Schema.NullOr(Schema.String),
})

/** What the sessions of an account last reported of its quota (statusline, limit hits). */
export const QuotaView = Schema.Struct({
  five_hour: Schema.NullOr(WindowView),
  seven_day: Schema.NullOr(WindowView),
  seen_at: Schema.String,
  session: Schema.NullOr(Schema.String),
})

/** `GET /api/accounts`: every configured account in failover order. */
export const AccountView = Schema.Struct({
  name: Schema.String,
  home: Schema.String,
  active: Schema.Boolean,
  cooldown_until: Schema.NullOr(Schema.String),
  quota: Schema.NullOr(QuotaView),
})
export type AccountView = typeof AccountView.Type

/** The accounts with their cooldowns and quotas (`ccl accounts list`, `ccl status`). */
export class AccountsGroup extends HttpApiGroup.make("accounts").add(
  HttpApiEndpoint.get("accounts", "/api/accounts").addSuccess(Schema.Array(AccountView)),
) {}
