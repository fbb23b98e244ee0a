import { spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import * as path from "node:path"

export const CCL = path.resolve(__dirname, "../../dist/ccl.mjs")

export interface CliResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A clean environment for a child ccl: only PATH, HOME (the test's folder), its own code cache, and `extra`. */
const childEnv = (cwd: string, extra: Record<string, string> = {}): Record<string, string> => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: cwd,
  CCL_CACHE_DIR: path.join(cwd, ".cache"),
  ...extra,
})

/** Runs the built `dist/ccl.mjs` as a child process, with a clean environment plus `env`. */
export const runCcl = (
  args: ReadonlyArray<string>,
  options: { cwd: string; env?: Record<string, string>; input?: string },
): CliResult => {
  if (!existsSync(CCL)) throw new Error(`${CCL} is missing: run "npm run build" (npm test does it)`)
  const env = childEnv(options.cwd, options.env)
  const r = spawnSync(process.execPath, [CCL, ...args], {
    cwd: options.cwd,
    env,
    encoding: "utf8",
    input: options.input ?? "",
    timeout: 20_000,
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * Like runCcl, without blocking the event loop: for tests whose servers (the mock secutools) live in this
 * process. `signal` is set when the child was killed (crash tests).
 */
export const runCclAsync = (
  args: ReadonlyArray<string>,
  options: { cwd: string; env?: Record<string, string> },
): Promise<CliResult & { readonly signal: NodeJS.Signals | null }> => {
  if (!existsSync(CCL)) throw new Error(`${CCL} is missing: run "npm run build" (npm test does it)`)
  const env = childEnv(options.cwd, options.env)
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CCL, ...args], {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })
}
