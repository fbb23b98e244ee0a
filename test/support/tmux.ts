import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"

/** A private tmux server for one test file: never the user's. Kill it in afterAll. */
export const privateSocket = () => {
  const socket = `ccl-test-${process.pid}-${randomBytes(3).toString("hex")}`
  return {
    socket,
    tmux: (...args: Array<string>) => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" }),
    kill: () => {
      try {
        execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
      } catch {}
    },
  }
}

/** Polls `check` until it returns a value other than undefined, or fails after `ms` with `describe()`. */
export const eventually = async <A>(
  check: () => A | undefined | Promise<A | undefined>,
  ms: number,
  describe: () => string,
): Promise<A> => {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${describe()}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
