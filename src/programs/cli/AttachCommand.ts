import { Args, Command, Options } from "@effect/cli"
import * as PlatformCommand from "@effect/platform/Command"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Console, Duration, Effect, Layer, Option } from "effect"
import type { Settings } from "../../domain/Settings.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { AppConfig } from "../../services/AppConfig.js"
import { daemonClient } from "./daemonClient.js"
import { badInput, failure } from "./failure.js"
import { configOption } from "./options.js"

/** `tmux` with this config's server (`-L tmux.socket`), as the operator would type it. */
const tmuxArgs = (settings: Settings, ...args: ReadonlyArray<string>) =>
  settings.tmux.socket === undefined ? [...args] : ["-L", settings.tmux.socket, ...args]
const tmuxText = (settings: Settings, ...args: ReadonlyArray<string>) =>
  ["tmux", ...tmuxArgs(settings, ...args)].join(" ")

/** The sessions ccl's config names: the pool, then the dedicated ones. */
const configured = (settings: Settings) => [
  ...Array.from({ length: settings.pool.size }, (_, i) => ({
    name: `${settings.pool.prefix}-${i + 1}`,
    kind: "pool",
  })),
  ...settings.dedicated.map((d) => ({ name: d.name, kind: "dedicated" })),
]

/** Session names on the tmux server; none when it does not run. ccl's control-mode holders are left out. */
const tmuxSessions = (settings: Settings) =>
  PlatformCommand.lines(
    PlatformCommand.make("tmux", ...tmuxArgs(settings, "list-sessions", "-F", "#{session_name}")),
  ).pipe(
    Effect.map((names) => names.filter((n) => n !== "" && !n.startsWith("_ccl-control-"))),
    Effect.orElseSucceed((): ReadonlyArray<string> => []),
  )

/** What the daemon says of each session (phase, task), when one answers within a second. */
const daemonStates = daemonClient.pipe(
  Effect.flatMap((client) => client.status.sessions()),
  Effect.timeout(Duration.seconds(1)),
  Effect.map(
    (views) => new Map(views.map((v) => [v.name, v.task === null ? v.phase : `${v.phase} (task ${v.task})`])),
  ),
  Effect.option,
)

const listSessions = (settings: Settings) =>
  Effect.gen(function* () {
    const running = new Set(yield* tmuxSessions(settings))
    const states = yield* daemonStates
    const known = configured(settings)
    const rows = [
      ...known,
      ...[...running]
        .filter((n) => !known.some((k) => k.name === n))
        .map((name) => ({ name, kind: "other" })),
    ].map((s) => {
      const fromDaemon = Option.flatMap(states, (m) => Option.fromNullable(m.get(s.name)))
      const state = Option.getOrElse(fromDaemon, () => (running.has(s.name) ? "running" : "not running"))
      return `${s.name.padEnd(28)} ${s.kind.padEnd(10)} ${state}`
    })
    yield* Console.log(
      [
        `${"SESSION".padEnd(28)} ${"KIND".padEnd(10)} STATE`,
        ...rows,
        "",
        `attach: ccl attach NAME [--read-only]  (the same as: ${tmuxText(settings, "attach", "-t", "NAME")}); detach with C-b d`,
        ...(Option.isNone(states) ? ["(no daemon answers: states are from tmux alone)"] : []),
      ].join("\n"),
    )
  })

/** `ccl attach [NAME] [--read-only]`: tmux attach on the configured server, or the list of sessions. */
export const attachCommand = Command.make(
  "attach",
  {
    name: Args.text({ name: "NAME" }).pipe(Args.optional),
    readOnly: Options.boolean("read-only").pipe(
      Options.withAlias("r"),
      Options.withDescription("watch only: keys typed are not sent to the session"),
    ),
    config: configOption,
  },
  ({ name, readOnly }) =>
    Effect.gen(function* () {
      const settings = yield* AppConfig
      if (Option.isNone(name)) return yield* listSessions(settings)
      const running = yield* tmuxSessions(settings)
      const known = [...new Set([...configured(settings).map((s) => s.name), ...running])]
      const server =
        settings.tmux.socket === undefined ? "the default tmux server" : `tmux -L ${settings.tmux.socket}`
      if (!known.includes(name.value))
        return yield* badInput(
          `no session named ${name.value} on ${server} (known: ${known.join(", ") || "none"})`,
        )
      if (!running.includes(name.value))
        return yield* failure(
          `session ${name.value} is not running on ${server}: is the daemon up? (ccl status)`,
        )
      // The terminal is tmux's until it detaches: stdin, stdout and stderr are this process's own.
      const code = yield* PlatformCommand.make(
        "tmux",
        ...tmuxArgs(settings, "attach-session", "-t", `=${name.value}`, ...(readOnly ? ["-r"] : [])),
      ).pipe(
        PlatformCommand.stdin("inherit"),
        PlatformCommand.stdout("inherit"),
        PlatformCommand.stderr("inherit"),
        PlatformCommand.exitCode,
        Effect.mapError((e) => failure(`cannot run tmux: ${e.message}`)),
      )
      if (code !== 0) return yield* failure(`tmux attach exited ${code}`)
    }),
).pipe(
  Command.withDescription(
    "Attach to a session on ccl's tmux server (-L from tmux.socket); without NAME, list the sessions",
  ),
  // NodeContext: the tmux child (CommandExecutor), which the command line's own environment does not carry.
  Command.provide(({ config }) =>
    Layer.mergeAll(AppConfigLive(Option.getOrUndefined(config)), FetchHttpClient.layer, NodeContext.layer),
  ),
)
