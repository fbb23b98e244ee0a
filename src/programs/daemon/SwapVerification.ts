import { type Context, Effect } from "effect"
import type { PendingVerification } from "../../domain/SessionTable.js"
import type { StateStore } from "../../services/StateStore.js"
import { liveSessionId, type PaneRef } from "./LiveStatusFile.js"

/** Writes whether a session came back as the swap meant into that swap's history entry (and why not). */
export const recordVerification = (
  state: Context.Tag.Service<StateStore>,
  name: string,
  check: PendingVerification,
  verified: boolean,
  why?: string,
) =>
  state.update((s) => ({
    ...s,
    history: s.history.map((h) =>
      h.started_at !== check.swap || h.sessions === undefined
        ? h
        : {
            ...h,
            sessions: h.sessions.map((o) =>
              o.name === name ? { ...o, verified, ...(why === undefined ? {} : { why }) } : o,
            ),
          },
    ),
  }))

/**
 * Checks that a relaunched agent really runs under the target home: its live status file is under
 * `<home>/sessions/` with the expected conversation id. The answer goes into that swap's history entry.
 */
export const verifySwappedSession = (
  state: Context.Tag.Service<StateStore>,
  name: string,
  pane: PaneRef,
  check: PendingVerification,
) =>
  Effect.gen(function* () {
    const seen = liveSessionId(check.home, pane)
    const verified = seen === check.id
    yield* recordVerification(state, name, check, verified)
    if (!verified)
      yield* Effect.logWarning(
        `session ${name}: not verified after the swap: expected conversation ${check.id} in ${check.home}/sessions, ` +
          (seen === undefined ? "found no live status file of its agent there" : `found ${seen}`),
      )
    return verified
  })
