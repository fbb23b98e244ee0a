import { Data, Schema } from "effect"

// The daemon API's error answers: JSON `{ error: "..." }`, the status set by the spec (DaemonApiSpec). In code
// they are tagged errors (Effect.catchTag on either side); the tag is not part of the JSON.

/** 400: a query or body that does not match its schema. */
export class BadRequest extends Data.TaggedError("BadRequest")<{ readonly message: string }> {}

/** 401: CCL_API_TOKEN is set and the request's bearer token is missing or wrong. */
export class Unauthorized extends Data.TaggedError("Unauthorized")<{ readonly message: string }> {}

/** 403: a Host header this machine's loopback does not answer to (DNS rebinding). */
export class Forbidden extends Data.TaggedError("Forbidden")<{ readonly message: string }> {}

/** 404: no such endpoint. */
export class NotFound extends Data.TaggedError("NotFound")<{ readonly message: string }> {}

/** 409: the request names something in a state it cannot apply to (a cancel of a finished task). */
export class Conflict extends Data.TaggedError("Conflict")<{ readonly message: string }> {}

/** 500: the daemon could not answer (the queue could not be read...). */
export class ServerError extends Data.TaggedError("ServerError")<{ readonly message: string }> {}

/**
 * The JSON schema of an error class: `{ error: message }`. Encoding checks the class (instanceof), so errors of
 * the same shape keep their own status.
 */
export const errorJson = <E extends { readonly message: string }>(
  error: new (args: { readonly message: string }) => E,
) =>
  Schema.transform(Schema.Struct({ error: Schema.String }), Schema.instanceOf(error), {
    strict: true,
    decode: (json) => new error({ message: json.error }),
    encode: (e) => ({ error: e.message }),
  })
