import { Duration, Effect, Option, Schedule } from "effect"
import { classifyScreen } from "../../domain/ScreenState.js"
import { isClearedScreen } from "../../domain/ScreenTurns.js"
import type { TmuxPool } from "../../services/TmuxPool.js"
import { SessionLimits } from "./SessionLimits.js"

const zone = Intl.DateTimeFormat().resolvedOptions().timeZone

/** Reads a screen every 30 ms while /clear takes effect. */
const clearPoll = Schedule.spaced(Duration.millis(30)).pipe(
  Schedule.upTo(Duration.millis(SessionLimits.clearTimeoutMs)),
)

/** `/clear` in a session, and the wait for its effect (pool.fresh_context). */
export const makeContextClear = (tmux: TmuxPool["Type"]) => {
  /**
   * After /clear: the screen once it shows a cleared conversation (isClearedScreen: no turn above the input box)
   * at its idle prompt on two equal reads; none within 5 s. Idle and still is not enough: Claude Code 2.1.332
   * runs its SessionEnd/SessionStart hooks before it wipes the screen, and a task pasted meanwhile ran in the old
   * conversation (one CI run in about five on a loaded machine).
   */
  const clearedScreen = (name: string) => {
    let previous = ""
    const look = Effect.flatMap(tmux.capture(name), (screen) => {
      const same = screen === previous
      previous = screen
      return same && isClearedScreen(screen) && classifyScreen(screen, Date.now(), zone).state === "idle"
        ? Effect.succeed(screen)
        : Effect.fail("not cleared yet" as const)
    })
    // A schedule bounded by elapsed time, not a timeout: the delivery runs uninterruptibly.
    return look.pipe(
      Effect.retry({ schedule: clearPoll, while: (e) => e === "not cleared yet" }),
      Effect.map(Option.some),
      Effect.catchIf(
        (e): e is "not cleared yet" => e === "not cleared yet",
        () => Effect.succeedNone,
      ),
    )
  }

  /** /clear typed (never cut between its paste and its Enter), then its effect awaited: the screen, or none. */
  const clearContext = (name: string) =>
    Effect.zipRight(Effect.uninterruptible(tmux.sendText(name, "/clear")), clearedScreen(name))

  return { clearContext }
}
