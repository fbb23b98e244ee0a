import { Command, Options } from "@effect/cli"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Clock, Duration, Effect, Layer, Option, Queue } from "effect"
import { parseDurationText } from "../../domain/DurationText.js"
import { renderStatusTable } from "../../domain/StatusTable.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { taskQueueFor } from "../../layers/TaskQueueFromConfig.js"
import { AppConfig } from "../../services/AppConfig.js"
import { followDaemonEvents } from "./daemonEventsFollow.js"
import { badInput } from "./failure.js"
import { configOption, jsonOption } from "./options.js"
import { accountQuotas, statusSnapshot } from "./statusSnapshot.js"

const ENTER_SCREEN = "\x1b[?1049h\x1b[?25l"
const LEAVE_SCREEN = "\x1b[?25h\x1b[?1049l"
const HOME_AND_CLEAR = "\x1b[H\x1b[2J"

/** Colours only for a person at a terminal, and never when NO_COLOR is set (no-color.org). */
const wantsColour = () => process.stdout.isTTY === true && !process.env.NO_COLOR

const write = (text: string) => Effect.sync(() => process.stdout.write(text))

/** One refresh: the status as a table, or (with --json) the API's body on one line. */
const renderOnce = (json: boolean, colour: boolean) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const snapshot = yield* statusSnapshot
    if (json) return JSON.stringify(snapshot.body)
    const quotas = snapshot.live ? yield* accountQuotas : undefined
    return renderStatusTable(snapshot.body, {
      quotas,
      now: yield* Clock.currentTimeMillis,
      color: colour,
      live: snapshot.live,
      address: `${settings.api.host}:${settings.api.port}`,
      accounts: settings.accounts.map((a) => a.name),
    })
  })

/** A burst of events (a task filed: task, session, hook...) gives one redraw: at most one per this. */
const COALESCE = Duration.millis(200)

/** Until the next refresh: `everyMs` gone by, or an event came (and COALESCE since the last draw). */
const nextRefresh = (changed: Queue.Queue<void>, drawnAt: number, everyMs: number) =>
  Effect.raceFirst(
    Effect.sleep(everyMs),
    Effect.zipRight(
      Queue.take(changed),
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sleep(Math.max(0, drawnAt + Duration.toMillis(COALESCE) - now)),
      ),
    ),
  ).pipe(Effect.zipRight(Queue.takeAll(changed)))

/**
 * Redraws until interrupted: when the daemon's events say something changed (GET /api/events, one connection,
 * resumed with Last-Event-ID when it drops), and every `everyMs` in any case (the daemon down, the stream lost).
 * On a TTY: the alternate screen, redrawn in place, given back on exit (Ctrl-C included, as the scope closes).
 * On a pipe: one block per refresh, blocks separated by a blank line.
 */
const watch = (json: boolean, everyMs: number) =>
  Effect.gen(function* () {
    const tty = process.stdout.isTTY === true && !json
    if (tty) yield* Effect.acquireRelease(write(ENTER_SCREEN), () => write(LEAVE_SCREEN))
    const changed = yield* Queue.sliding<void>(1)
    yield* Effect.forkScoped(followDaemonEvents(Queue.offer(changed, undefined)))
    for (let i = 0; ; i++) {
      const text = yield* renderOnce(json, wantsColour())
      yield* write(tty ? `${HOME_AND_CLEAR}${text}\n` : `${i > 0 && !json ? "\n" : ""}${text}\n`)
      yield* nextRefresh(changed, yield* Clock.currentTimeMillis, everyMs)
    }
  }).pipe(Effect.scoped)

/** `ccl status [--json] [--watch [--every 2s]]`: from the daemon's API, or from disk when it is down. */
export const statusCommand = Command.make(
  "status",
  {
    json: jsonOption,
    watch: Options.boolean("watch").pipe(Options.withDescription("refresh until Ctrl-C")),
    every: Options.text("every").pipe(
      Options.withDescription(
        "with --watch: time between refreshes when nothing happens (e.g. 2s, 500ms); events redraw at once",
      ),
      Options.withDefault("2s"),
    ),
    config: configOption,
  },
  ({ json, watch: watching, every }) =>
    Effect.gen(function* () {
      const everyMs = parseDurationText(every)
      if (everyMs === undefined || everyMs < 100) {
        return yield* badInput(`--every: "${every}" is not a duration of at least 100ms (e.g. 2s, 500ms)`)
      }
      if (watching) return yield* watch(json, everyMs)
      yield* write(`${yield* renderOnce(json, wantsColour())}\n`)
    }),
).pipe(
  Command.withDescription(
    "Show the account, sessions and queue (from the daemon, or from disk when it is down)",
  ),
  Command.provide(({ config }) => {
    const appConfig = AppConfigLive(Option.getOrUndefined(config))
    const queue = Layer.unwrapEffect(Effect.map(AppConfig, (s) => taskQueueFor(s)))
    return Layer.mergeAll(queue, FetchHttpClient.layer).pipe(Layer.provideMerge(appConfig))
  }),
)
