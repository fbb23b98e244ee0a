import { readFileSync } from "node:fs"
import * as path from "node:path"
import { writeFileDurably } from "../layers/DurableFile.js"

// Plain Node only (DurableFile.ts too): the lite hook relay imports this file.

/**
 * `<state>/api-token`: the daemon's API token for the hooks its agents run. The daemon takes CCL_API_TOKEN and
 * SECUTOOLS_API_KEY out of its own environment so that tmux, the shells and the agents never inherit them; the
 * hooks find the token here instead (0600, written whole).
 */
export const apiTokenPath = (stateDir: string): string => path.join(stateDir, "api-token")

export const writeApiToken = (stateDir: string, token: string): void =>
  writeFileDurably(apiTokenPath(stateDir), token, { mode: 0o600, dirMode: 0o700 })

/** The token the daemon left for hooks, or undefined. */
export const readApiToken = (stateDir: string): string | undefined => {
  try {
    const token = readFileSync(apiTokenPath(stateDir), "utf8").trim()
    return token === "" ? undefined : token
  } catch {
    return undefined
  }
}
