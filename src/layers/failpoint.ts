import { Effect } from "effect"

/**
 * Crash injection for the reliability tests: when CCL_FAILPOINT names this step (`step`, or `step@N` for its Nth
 * pass), the process dies there with SIGKILL, leaving exactly the state a real crash would. Read once at start:
 * costs nothing otherwise. The steps are listed in RELIABILITY.md ("Crash points").
 */
const [armed, nth] = (process.env.CCL_FAILPOINT ?? "").split("@")
let passes = 0

export const failpoint = (step: string): Effect.Effect<void> =>
  armed === step
    ? Effect.sync(() => {
        if (++passes >= Number(nth ?? 1)) process.kill(process.pid, "SIGKILL")
      })
    : Effect.void
