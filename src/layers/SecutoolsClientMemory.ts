import { Effect, Layer, Ref } from "effect"
import { isTerminal, type Job, type JobRequest } from "../domain/Job.js"
import {
  SecutoolsClient,
  type SecutoolsError,
  SecutoolsHttpError,
  SecutoolsTimeout,
} from "../services/SecutoolsClient.js"

/** What a test can do to the in-memory platform. */
export interface SecutoolsScript {
  /** Every job ever created, in order. */
  readonly jobs: () => ReadonlyArray<Job & { readonly request: JobRequest }>
  /** Sets a job's state (completed with result and cost, failed with an error...). */
  readonly settle: (jobId: string, update: Partial<Job>) => void
  /** The next `n` calls (submit or get) fail with `error`. */
  readonly failNext: (n: number, error: SecutoolsError) => void
}

/** An in-memory secutools for unit tests: idempotent submits, scripted job lifecycles and faults. */
export const makeSecutoolsClientMemory = Effect.gen(function* () {
  const jobs = new Map<string, Job & { request: JobRequest }>()
  const byKey = new Map<string, string>()
  const faults: Array<SecutoolsError> = []
  const retries = yield* Ref.make(0)
  let next = 0
  const fault = Effect.suspend(() => {
    const e = faults.shift()
    return e === undefined ? Effect.void : Effect.fail(e)
  })
  const script: SecutoolsScript = {
    jobs: () => [...jobs.values()],
    settle: (jobId, update) => {
      const job = jobs.get(jobId)
      if (job === undefined) throw new Error(`no job ${jobId}`)
      jobs.set(jobId, { ...job, ...update })
    },
    failNext: (n, error) => {
      for (let i = 0; i < n; i++) faults.push(error)
    },
  }
  const getJob = (jobId: string) =>
    Effect.zipRight(
      fault,
      Effect.suspend(() => {
        const job = jobs.get(jobId)
        if (job === undefined) {
          return Effect.fail(
            new SecutoolsHttpError({
              status: 404,
              message: "job not found",
              retryable: false,
              retryAfterMs: undefined,
            }),
          )
        }
        const { request: _, ...plain } = job
        return Effect.succeed(plain as Job)
      }),
    )
  const client = SecutoolsClient.of({
    submitJob: (request) =>
      Effect.zipRight(
        fault,
        Effect.sync(() => {
          const existing = byKey.get(request.idempotencyKey)
          if (existing !== undefined) return { job_id: existing, status: jobs.get(existing)!.status }
          const job_id = `job-${++next}`
          byKey.set(request.idempotencyKey, job_id)
          jobs.set(job_id, {
            job_id,
            status: "queued",
            provider: request.provider,
            created_at: new Date().toISOString(),
            request,
          })
          return { job_id, status: "queued" as const }
        }),
      ),
    getJob,
    waitForResult: (jobId, { timeoutMs }) =>
      getJob(jobId).pipe(
        Effect.filterOrFail(
          (job) => isTerminal(job.status),
          () => new SecutoolsTimeout({ message: `job ${jobId} not finished after ${timeoutMs} ms` }),
        ),
      ),
    retries: Ref.get(retries),
  })
  return { client, script }
})

/** The layer plus a handle on its script, for tests that provide it and drive it. */
export const SecutoolsClientMemory = Effect.map(makeSecutoolsClientMemory, ({ client, script }) => ({
  layer: Layer.succeed(SecutoolsClient, client),
  script,
}))
