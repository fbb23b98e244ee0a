import type { SwapRecord } from "../../domain/DaemonState.js"
import type { SwapOutcome } from "../../services/Failover.js"

// What a swap tells its caller (`ccl failover swap`, the API, `ccl failover clear`).

/** The operator's early reset found no limited session: only dispatching resumed. */
export const NOTHING_MOVED: SwapOutcome = {
  outcome: "ignored",
  from: null,
  to: null,
  relaunched: [],
  leftAtShell: [],
  message: "no session was waiting for the reset",
}

/** A swap done, as its record says. */
export const outcomeOf = (r: SwapRecord): SwapOutcome => ({
  outcome: "swapped",
  from: r.from,
  to: r.to,
  relaunched: r.relaunched,
  leftAtShell: r.left_at_shell,
  message: `moved from ${r.from ?? "-"} to ${r.to}: ${r.relaunched.length} sessions relaunched, ${r.left_at_shell.length} left at the shell`,
})
