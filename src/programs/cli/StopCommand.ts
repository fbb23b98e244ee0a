import { Command, Options } from "@effect/cli"
import { Console, Duration, Effect, Option, Schedule } from "effect"
import { formatDurationMs, parseDurationText } from "../../domain/DurationText.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { AppConfig } from "../../services/AppConfig.js"
import { daemonLockRoot } from "../daemon/DaemonLock.js"
import { lockHolder, processRunning } from "../daemon/DaemonLockHolder.js"
import { badInput, failure } from "./failure.js"
import { configOption } from "./options.js"

/**
 * `ccl stop [--timeout 30s]`: SIGTERM to the daemon holding this queue's lock, then waits until it exited (the lock
 * free and the process gone). Stopping a daemon that does not run is not an error, as with `systemctl stop`.
 */
export const stopCommand = Command.make(
  "stop",
  {
    timeout: Options.text("timeout").pipe(
      Options.withDefault("30s"),
      Options.withDescription(
        "how long to wait for the daemon to finish the step in hand and exit (default 30s)",
      ),
    ),
    config: configOption,
  },
  ({ timeout }) =>
    Effect.gen(function* () {
      const settings = yield* AppConfig
      const ms = parseDurationText(timeout)
      if (ms === undefined || ms <= 0)
        return yield* badInput(`--timeout: expected a duration such as 30s, 2m or 1m30s, got "${timeout}"`)
      const holder = yield* lockHolder(daemonLockRoot(settings))
      if (holder.kind === "none")
        return yield* Console.log(`no daemon runs on this queue (${settings.queue}): nothing to stop`)
      if (holder.kind === "unverified")
        return yield* failure(
          `a daemon holds the lock of ${settings.queue}, but no process of yours holds it` +
            `${holder.pidFile > 0 ? ` (its lock file names pid ${holder.pidFile})` : ""}: is it another user's? stop it as that user`,
        )
      const { pid } = holder
      yield* Effect.try({
        try: () => process.kill(pid, "SIGTERM"),
        catch: (e) => failure(`cannot signal the daemon (pid ${pid}): ${(e as Error).message}`),
      })
      yield* Console.log(`sent SIGTERM to the ccl daemon (pid ${pid}); waiting up to ${formatDurationMs(ms)}`)
      // Gone when the kernel freed its lock and the process is no more (or a zombie its parent has yet to reap).
      const exited = Effect.map(
        lockHolder(daemonLockRoot(settings)),
        (h) => h.kind === "none" && !processRunning(pid),
      )
      const done = yield* exited.pipe(
        Effect.repeat({ schedule: Schedule.spaced(Duration.millis(100)), until: (gone) => gone }),
        Effect.timeoutTo({ duration: Duration.millis(ms), onTimeout: () => false, onSuccess: () => true }),
      )
      if (!done)
        return yield* failure(
          `the daemon (pid ${pid}) is still running after ${formatDurationMs(ms)}: wait longer (--timeout), or kill -9 ${pid} (its sessions keep running)`,
        )
      yield* Console.log(`ccl daemon ${pid} stopped`)
    }),
).pipe(
  Command.withDescription("Stop the daemon of this queue (SIGTERM) and wait until it exited"),
  Command.provide(({ config }) => AppConfigLive(Option.getOrUndefined(config))),
)
