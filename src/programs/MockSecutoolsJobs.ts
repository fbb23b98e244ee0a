// The pure half of the mock secutools server (MockSecutools.ts): what a submit body must say, how a job
// progresses with time and what it costs. No Effect services, no clock: the server passes `now` in.

import { Schema } from "effect"

export const PROVIDERS = ["gpu", "gemini", "claude-api"] as const

export const SubmitBody = Schema.Struct({
  provider: Schema.String,
  prompt: Schema.String,
  metadata: Schema.Struct({
    task_id: Schema.String,
    complexity_hint: Schema.optional(Schema.String),
  }),
})
export type SubmitBody = typeof SubmitBody.Type

export interface StoredJob {
  readonly id: string
  readonly body: SubmitBody
  readonly createdAt: number
}

type Status = "queued" | "running" | "completed" | "failed"

const RATE_PER_1K_CHARS: Record<string, number> = { gpu: 0.004, gemini: 0.001, "claude-api": 0.003 }
const BASE_COST: Record<string, number> = { gpu: 0.02, gemini: 0.002, "claude-api": 0.01 }

/** Deterministic and positive: a per-provider base plus a per-character rate. */
export const mockCost = (provider: string, prompt: string): number =>
  Math.round(
    ((BASE_COST[provider] ?? 0.01) + ((RATE_PER_1K_CHARS[provider] ?? 0.002) * prompt.length) / 1000) * 1e6,
  ) / 1e6

export const statusAt = (job: StoredJob, now: number, jobMs: number): Status => {
  const elapsed = now - job.createdAt
  if (elapsed >= jobMs) return job.body.prompt.includes("[fail]") ? "failed" : "completed"
  return elapsed < jobMs * 0.2 ? "queued" : "running"
}

/** The job as `GET /v1/jobs/:job_id` answers it at `now`. */
export const jobView = (job: StoredJob, now: number, jobMs: number) => {
  const status = statusAt(job, now, jobMs)
  const { provider, prompt, metadata } = job.body
  return {
    job_id: job.id,
    status,
    provider,
    ...(status === "completed"
      ? {
          result: `${provider} finished task ${metadata.task_id}: ${prompt.slice(0, 60)}`,
          cost_usd: mockCost(provider, prompt),
        }
      : {}),
    ...(status === "failed" ? { error: "provider error: the task asked to fail" } : {}),
    created_at: new Date(job.createdAt).toISOString(),
    ...(status === "completed" || status === "failed"
      ? { finished_at: new Date(job.createdAt + jobMs).toISOString() }
      : {}),
  }
}
