import { appendFileSync, chmodSync, closeSync, openSync } from "node:fs"
import type { Trigger } from "./MockAnthropicReplies.js"

const MAX_RECORDS = 10_000

/** One request, as logged. `token` is the caller's bearer / x-api-key value: a real one would be logged too. */
export interface RequestRecord {
  readonly at: string
  readonly method: string
  readonly path: string
  /** 499: the client went away before the answer (a `[work=MS]` cut short). */
  readonly status: number
  readonly session_id: string | null
  readonly token: string | null
  readonly stream: boolean | null
  readonly prompt: string | null
  readonly trigger: Trigger | null
  readonly reply: string | null
}

/** Creates the log file (or keeps it), 0600; throws when it cannot. */
export const openLogFile = (file: string): void => {
  closeSync(openSync(file, "a", 0o600))
  chmodSync(file, 0o600)
}

/** The requests of the mock: the last 10,000 in memory, every one also a JSON line in `file` when given. */
export class RequestLog {
  private readonly records: Array<RequestRecord> = []
  private readonly file: string | undefined

  constructor(file: string | undefined) {
    this.file = file
  }

  add(entry: RequestRecord): void {
    this.records.push(entry)
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS)
    if (this.file !== undefined) {
      try {
        appendFileSync(this.file, `${JSON.stringify(entry)}\n`)
      } catch {
        // A log that became unwritable loses lines; the in-memory records keep them.
      }
    }
  }

  /** Oldest first. */
  all(): ReadonlyArray<RequestRecord> {
    return [...this.records]
  }
}
