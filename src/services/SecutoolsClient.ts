import { Context, Data, type Effect } from "effect"
import type { Job, JobRequest, SubmitAccepted } from "../domain/Job.js"

/** The platform answered with an error status. `retryable` after the retry policy gave up (408/429/5xx). */
export class SecutoolsHttpError extends Data.TaggedError("SecutoolsHttpError")<{
  readonly status: number
  /** The server's own message, or the status text. */
  readonly message: string
  readonly retryable: boolean
  readonly retryAfterMs: number | undefined
}> {}

/** No answer: connection refused or reset, DNS, a try that timed out. Retried. */
export class SecutoolsTransportError extends Data.TaggedError("SecutoolsTransportError")<{
  readonly message: string
}> {
  readonly retryable = true
}

/** The platform answered 2xx with a body that is not the contract's. Not retried. */
export class SecutoolsDecodeError extends Data.TaggedError("SecutoolsDecodeError")<{
  readonly message: string
}> {}

/** The call's overall deadline (or waitForResult's timeout) passed. */
export class SecutoolsTimeout extends Data.TaggedError("SecutoolsTimeout")<{ readonly message: string }> {}

export type SecutoolsError =
  | SecutoolsHttpError
  | SecutoolsTransportError
  | SecutoolsDecodeError
  | SecutoolsTimeout

/** Delegation was asked for but no API key is configured. */
export class DelegationDisabled extends Data.TaggedError("DelegationDisabled")<{}> {
  override get message() {
    return "delegation is off: set SECUTOOLS_API_KEY (and SECUTOOLS_URL or delegation.url in ccl.yaml)"
  }
}

/** One line for humans; never holds the API key (errors are built from statuses and server messages only). */
export const describeSecutoolsError = (e: SecutoolsError): string =>
  e._tag === "SecutoolsHttpError" ? `secutools answered ${e.status}: ${e.message}` : `secutools: ${e.message}`

/** The secutools job API (DESIGN.md "Secutools contract"), retries included. */
export class SecutoolsClient extends Context.Tag("ccl/SecutoolsClient")<
  SecutoolsClient,
  {
    readonly submitJob: (request: JobRequest) => Effect.Effect<SubmitAccepted, SecutoolsError>
    readonly getJob: (jobId: string) => Effect.Effect<Job, SecutoolsError>
    /** Polls until the job is completed, failed or cancelled. */
    readonly waitForResult: (
      jobId: string,
      options: { readonly intervalMs: number; readonly timeoutMs: number },
    ) => Effect.Effect<Job, SecutoolsError>
    /** Retries made so far by this client (all calls). */
    readonly retries: Effect.Effect<number>
  }
>() {}
