// The systemd unit `ccl service install` writes for `ccl daemon` (README "Running as a service").

export interface UnitInput {
  /** Absolute paths of node and of dist/ccl.mjs, and of the config file the daemon reads. */
  readonly node: string
  readonly script: string
  readonly config: string
  readonly workingDirectory: string
  /** Secrets (SECUTOOLS_API_KEY, CCL_API_TOKEN) as KEY=value lines; optional (`-` prefix). */
  readonly environmentFile: string
  /** The PATH the daemon, tmux and the agent command (`claude`) are found on. */
  readonly path: string
  /** System units only: whom the daemon runs as (its tmux server, its account homes). */
  readonly user?: string | undefined
}

export const UNIT_NAME = "ccl.service"

/** A systemd word: quoted when it holds spaces or quotes (systemd's quoting is close enough to sh's for paths). */
const word = (w: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `"${w.replace(/(["\\])/g, "\\$1")}"`)

/**
 * The unit. KillMode=process: SIGTERM goes to the daemon alone, and the tmux server it started (in this unit's
 * cgroup) keeps the sessions running for the next start, as a stop outside systemd does. TimeoutStopSec leaves the
 * daemon time to finish the step in hand (a prompt being typed, a swap) before systemd kills it.
 */
export const systemdUnit = (u: UnitInput): string =>
  [
    "[Unit]",
    "Description=ccl: Claude Code session pool and task queue",
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Type=simple",
    ...(u.user === undefined ? [] : [`User=${u.user}`]),
    `WorkingDirectory=${word(u.workingDirectory)}`,
    `ExecStart=${[u.node, u.script, "daemon", "--config", u.config].map(word).join(" ")}`,
    `EnvironmentFile=-${u.environmentFile}`,
    `Environment=${word(`PATH=${u.path}`)}`,
    "Restart=on-failure",
    "RestartSec=5",
    "KillSignal=SIGTERM",
    "KillMode=process",
    "TimeoutStopSec=60",
    "",
    "[Install]",
    `WantedBy=${u.user === undefined ? "default.target" : "multi-user.target"}`,
    "",
  ].join("\n")

/** The commands that load and start the unit (`sudo` for a system unit unless already root). */
export const enableCommands = (user: boolean, root: boolean): ReadonlyArray<string> => {
  const systemctl = user ? "systemctl --user" : root ? "systemctl" : "sudo systemctl"
  return [`${systemctl} daemon-reload`, `${systemctl} enable --now ${UNIT_NAME}`]
}
