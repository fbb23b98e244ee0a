import { Effect } from "effect"

/**
 * Crash injection for the reliability tests: when CCL_FAILPOINT names this step, the process dies here with
 * SIGKILL, leaving exactly the state a real crash would. Read once: costs nothing otherwise.
 */
const armed = process.env.CCL_FAILPOINT

export const failpoint = (step: string): Effect.Effect<void> =>
  armed === step ? Effect.sync(() => process.kill(process.pid, "SIGKILL")) : Effect.void
