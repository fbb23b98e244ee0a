import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from "node:fs"
import * as path from "node:path"

// Plain Node only: the lite hook relay imports this file.

/**
 * `<state>/api-token`: the daemon's API token for the hooks its agents run. The daemon takes CCL_API_TOKEN and
 * SECUTOOLS_API_KEY out of its own environment so that tmux, the shells and the agents never inherit them; the
 * hooks find the token here instead (0600, written whole).
 */
export const apiTokenPath = (stateDir: string): string => path.join(stateDir, "api-token")

export const writeApiToken = (stateDir: string, token: string): void => {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 })
  const file = apiTokenPath(stateDir)
  const tmp = `${file}.${process.pid}.tmp`
  const fd = openSync(tmp, "w", 0o600)
  try {
    writeSync(fd, token)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}

/** The token the daemon left for hooks, or undefined. */
export const readApiToken = (stateDir: string): string | undefined => {
  try {
    const token = readFileSync(apiTokenPath(stateDir), "utf8").trim()
    return token === "" ? undefined : token
  } catch {
    return undefined
  }
}
