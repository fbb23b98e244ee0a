import { Effect } from "effect"
import { liveSessionId, type PaneRef } from "./LiveStatusFile.js"
import type { StateFile } from "./StateFile.js"

/** What a session relaunched by a swap must show once its agent is up: the swap it belongs to, the id expected. */
export interface PendingVerification {
  /** The swap's `started_at` (its key in the history). */
  readonly swap: string
  readonly home: string
  readonly id: string
}

/**
 * Checks that a relaunched agent really runs under the target home: its live status file is under
 * `<home>/sessions/` with the expected conversation id. The answer goes into that swap's history entry.
 */
export const verifySwappedSession = (
  state: StateFile,
  name: string,
  pane: PaneRef,
  check: PendingVerification,
) =>
  Effect.gen(function* () {
    const seen = liveSessionId(check.home, pane)
    const verified = seen === check.id
    yield* state.update((s) => ({
      ...s,
      history: s.history.map((h) =>
        h.started_at !== check.swap || h.sessions === undefined
          ? h
          : { ...h, sessions: h.sessions.map((o) => (o.name === name ? { ...o, verified } : o)) },
      ),
    }))
    if (!verified)
      yield* Effect.logWarning(
        `session ${name}: not verified after the swap: expected conversation ${check.id} in ${check.home}/sessions, ` +
          (seen === undefined ? "found no live status file of its agent there" : `found ${seen}`),
      )
    return verified
  })
