import { Effect, Logger } from "effect"
import { causeText } from "../domain/FailureText.js"
import { type LogEntry, messageText, plainLogLine } from "../domain/LogLine.js"
import { AppConfig } from "../services/AppConfig.js"
import { daemonLogPath, openRotatingLogFile } from "./RotatingLogFile.js"

/** A log call as the daemon writes it: time, level, message and the first line of its cause (no fiber id). */
const entryOf = (o: Logger.Logger.Options<unknown>): LogEntry => {
  const cause = causeText(o.cause)
  return {
    at: o.date.toISOString(),
    level: o.logLevel.label,
    message: messageText(o.message),
    ...(cause === undefined ? {} : { cause }),
  }
}

/** The plain line on stdout, for a terminal, `ccl daemon > file` and journald. */
export const plainStdoutLogger = Logger.make((o) => {
  process.stdout.write(`${plainLogLine(entryOf(o))}\n`)
})

/**
 * The daemon's logger: every line on stdout and in `<state>/daemon.log` (rotated at `log.max_bytes`, `log.keep`
 * old files), which `ccl logs` reads. Replaces Effect's default logger for whatever runs under this layer.
 */
export const DaemonLogFile = Logger.replaceScoped(
  Logger.defaultLogger,
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const path = daemonLogPath(settings.state)
    const file = yield* Effect.acquireRelease(
      Effect.try({
        try: () => openRotatingLogFile(path, settings.log),
        catch: (e) => new Error(`cannot open the daemon log ${path}: ${(e as Error).message}`),
      }),
      (f) => Effect.sync(() => f.close()),
    )
    const fileLogger = Logger.make((o) => file.write(plainLogLine(entryOf(o))))
    return Logger.zip(plainStdoutLogger, fileLogger)
  }),
)
