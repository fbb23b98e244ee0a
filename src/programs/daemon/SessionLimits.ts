/** The daemon's fixed intervals and limits for sessions (not configurable: they guard against loops, not tune). */
export const SessionLimits = {
  /** How long a dead session whose relaunch (or task release) failed waits before the next try. */
  deadRetryMs: 5_000,
  /** Launches in a row whose agent exits before its prompt (a dialog answered "No", a bad flag): then the operator. */
  maxFailedLaunches: 3,
  /** How long a launched agent may sit at a bare shell before it is launched again (generous: a loaded machine). */
  shellGraceMs: 10_000,
  /** How often the screen of a working session with working hooks is read (the fallback for a lost hook). */
  hookedScreenMs: 2_000,
  /** How long /clear may take to show a cleared conversation before the session gets a new agent. */
  clearTimeoutMs: 5_000,
} as const
