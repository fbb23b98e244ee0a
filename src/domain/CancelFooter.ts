import { type ResultFooter, rejectedFooter } from "./ResultFooter.js"

// The footers of a task the operator cancelled (`ccl queue cancel`): status and cause `cancelled`, and why.

/** `cancelled: <reason>`, or `cancelled: by the operator` when none was given. */
export const cancelError = (reason: string | undefined): string => {
  const why = reason?.trim() ?? ""
  return `cancelled: ${why === "" ? "by the operator" : why}`
}

/** A pending task: it never ran. */
export const cancelledPendingFooter = (reason: string | undefined, now: Date): ResultFooter =>
  rejectedFooter(cancelError(reason), now, "cancelled", "cancelled")

/** What secutools still does with a delegated task once it is cancelled here: it has no cancel endpoint. */
export const remoteJobLeft = (jobId: string | null): string =>
  jobId === null
    ? "no remote job was accepted yet (a submit under way may still create one: its result is dropped)"
    : `the remote job ${jobId} was not cancelled (secutools has no cancel endpoint): its result is dropped`

/** A delegated task (its marker beside it in pending/): filed with its job, which runs on. */
export const cancelledDelegatedFooter = (
  marker: { readonly provider: string; readonly job_id: string | null; readonly submitted_at?: string },
  reason: string | undefined,
  now: Date,
): ResultFooter => ({
  status: "cancelled",
  route: "delegated",
  provider: marker.provider,
  ...(marker.job_id === null ? {} : { job_id: marker.job_id }),
  ...(marker.submitted_at === undefined ? {} : { started_at: marker.submitted_at }),
  finished_at: now.toISOString(),
  cause: "cancelled",
  error: `${cancelError(reason)}; ${remoteJobLeft(marker.job_id)}`,
})

/** A task a local session was working on: interrupted there, filed with that session's run (as a completion is). */
export const cancelledActiveFooter = (
  held: {
    readonly session: string | undefined
    readonly account: string | undefined
    readonly attempt: number | undefined
    readonly resumeId: string | undefined
    readonly startedAt: number | undefined
  },
  reason: string | undefined,
  now: Date,
): ResultFooter => ({
  status: "cancelled",
  route: "local",
  provider: "claude-code",
  ...(held.session === undefined ? {} : { session: held.session }),
  ...(held.account === undefined ? {} : { account: held.account }),
  ...(held.attempt === undefined ? {} : { attempt: held.attempt }),
  ...(held.resumeId === undefined ? {} : { resume_id: held.resumeId }),
  ...(held.startedAt === undefined ? {} : { started_at: new Date(held.startedAt).toISOString() }),
  finished_at: now.toISOString(),
  cause: "cancelled",
  error: cancelError(reason),
})
