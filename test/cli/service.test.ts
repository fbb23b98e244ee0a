// `ccl service install`: the systemd unit for `ccl daemon` with this config, printed or written (user units in a
// temporary HOME; the system folder is never touched by the tests).

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { CCL, runCcl } from "../support/cli.js"
import { tempDir } from "../support/tempDir.js"

const project = () => {
  const dir = tempDir()
  writeFileSync(path.join(dir, "ccl.yaml"), "queue: ./queue\nstate: ./state\n")
  return dir
}

/** The unit's `Key=value` lines as a map (one value per key). */
const keys = (unit: string) =>
  Object.fromEntries(
    unit
      .split("\n")
      .filter((l) => /^[A-Za-z]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  )

describe("ccl service install", () => {
  it("--print: a unit running this node and this ccl.mjs on this config, restarted on failure, stopped by SIGTERM", () => {
    const dir = project()
    const r = runCcl(["service", "install", "--print"], { cwd: dir })
    expect(r.code).toBe(0)
    const k = keys(r.stdout)
    expect(r.stdout).toMatch(/^\[Unit\]\n[\s\S]*\n\[Service\]\n[\s\S]*\n\[Install\]\n/)
    expect(k.ExecStart).toBe(
      `${process.execPath} ${realpathSync(CCL)} daemon --config ${path.join(realpathSync(dir), "ccl.yaml")}`,
    )
    expect(k.WorkingDirectory).toBe(realpathSync(dir))
    expect(k.Restart).toBe("on-failure")
    expect(k.KillSignal).toBe("SIGTERM")
    expect(Number(k.TimeoutStopSec)).toBeGreaterThanOrEqual(60)
    // The secrets' file is optional (-) and by default ~/.config/ccl/ccl.env of whoever runs it.
    expect(k.EnvironmentFile).toBe(`-${path.join(dir, ".config", "ccl", "ccl.env")}`)
    // SIGTERM to the daemon alone: its tmux server, and the sessions, outlive a stop as they do outside systemd.
    expect(k.KillMode).toBe("process")
    expect(k.User).toBeDefined() // a system unit runs as the user who installed it
    expect(r.stdout).not.toContain("systemctl")
  })

  it("--user writes ccl.service under $XDG_CONFIG_HOME/systemd/user (else ~/.config) and prints how to enable it", () => {
    const dir = project()
    const r = runCcl(["service", "install", "--user", "--secrets", "/srv/secrets/ccl.env"], { cwd: dir })
    expect(r.code).toBe(0)
    const file = path.join(dir, ".config", "systemd", "user", "ccl.service")
    const unit = readFileSync(file, "utf8")
    expect(keys(unit).EnvironmentFile).toBe("-/srv/secrets/ccl.env")
    expect(keys(unit).User).toBeUndefined()
    expect(keys(unit).WantedBy).toBe("default.target")
    expect(r.stdout).toContain(`wrote ${file}`)
    expect(r.stdout).toContain(
      "  systemctl --user daemon-reload\n  systemctl --user enable --now ccl.service\n",
    )
    // The same unit --print shows.
    const printed = runCcl(["service", "install", "--user", "--secrets", "/srv/secrets/ccl.env", "--print"], {
      cwd: dir,
    })
    expect(`${printed.stdout}`).toBe(unit)

    const xdg = path.join(dir, "xdg")
    mkdirSync(xdg)
    expect(runCcl(["service", "install", "--user"], { cwd: dir, env: { XDG_CONFIG_HOME: xdg } }).code).toBe(0)
    expect(existsSync(path.join(xdg, "systemd", "user", "ccl.service"))).toBe(true)
  })

  it("without a ccl.yaml: exit 2, the unit needs one", () => {
    const dir = tempDir()
    const r = runCcl(["service", "install", "--print"], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^ccl: no ccl.yaml found: .*--config FILE\)\n$/)
  })
})
