import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import * as path from "node:path"

export const CCL = path.resolve(__dirname, "../../dist/ccl.mjs")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs the built `dist/ccl.mjs` as a child process, with a clean environment plus `env`. */
export const runCcl = (
  args: ReadonlyArray<string>,
  options: { cwd: string; env?: Record<string, string>; input?: string },
): CliResult => {
  if (!existsSync(CCL)) throw new Error(`${CCL} is missing: run "npm run build" (npm test does it)`)
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: options.cwd,
    CCL_CACHE_DIR: path.join(options.cwd, ".cache"),
    ...options.env,
  }
  const r = spawnSync(process.execPath, [CCL, ...args], {
    cwd: options.cwd,
    env,
    encoding: "utf8",
    input: options.input ?? "",
    timeout: 20_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}
