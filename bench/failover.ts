import { execFileSync, spawn } from "node:child_process"
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { startDaemon } from "./daemonRig.js"
import { round } from "./stats.js"
import type { BenchResult } from "./types.js"

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Every transcript entry under a home's (shared) projects folder. */
const entries = (home: string) => {
  const root = path.join(home, "projects")
  if (!existsSync(root)) return []
  const real = realpathSync(root)
  return readdirSync(real).flatMap((slug) =>
    readdirSync(path.join(real, slug)).flatMap((f) =>
      readFileSync(path.join(real, slug, f), "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ),
  )
}

interface SwapRecord {
  readonly outcome: string
  readonly finished_at: string
  readonly relaunched: ReadonlyArray<string>
}

const history = (stateDir: string): ReadonlyArray<SwapRecord> => {
  try {
    return JSON.parse(readFileSync(path.join(stateDir, "state.json"), "utf8")).history ?? []
  } catch {
    return []
  }
}

/**
 * `pool` + `dedicated` simulated sessions in conversation; one task hits the usage limit. Measured: from the limit
 * entry the agent wrote to the swap's end (every launch line typed), and to every session back up on the
 * second account.
 */
const measure = async (pool: number, dedicated: number) => {
  const d = await startDaemon(pool, 0, { dedicated })
  try {
    for (const name of d.dedicated) {
      execFileSync("tmux", ["-L", d.socket, "send-keys", "-t", `=${name}:`, "-l", `hello from ${name}`])
      execFileSync("tmux", ["-L", d.socket, "send-keys", "-t", `=${name}:`, "Enter"])
    }
    const talked = Date.now() + 60_000
    while (entries(d.home).filter((e) => e.type === "user").length < dedicated && Date.now() < talked)
      await sleep(200)
    await sleep(1_000) // their turns end and their Stop hooks arrive
    writeFileSync(path.join(d.queue, "tmp", "limit.md"), "Hit the wall [limit]\n")
    execFileSync("mv", [path.join(d.queue, "tmp", "limit.md"), path.join(d.queue, "pending", "limit.md")])
    const deadline = Date.now() + 120_000
    let swap: SwapRecord | undefined
    while (swap === undefined && Date.now() < deadline) {
      swap = history(d.state).find((h) => h.outcome === "swapped")
      if (swap === undefined) await sleep(25)
    }
    if (swap === undefined) throw new Error("no failover happened")
    const hit = entries(d.home).find((e) => e.isApiErrorMessage === true)
    const t0 = Date.parse(String(hit?.timestamp))
    const relaunchedMs = Date.parse(swap.finished_at) - t0
    let back = Number.NaN
    while (Date.now() < deadline) {
      const all = await d.sessions()
      if (
        all.length === pool + dedicated &&
        all.every((s) => s.account === "backup" && ["ready", "working"].includes(s.phase))
      ) {
        back = Date.now() - t0
        break
      }
      await sleep(50)
    }
    return { relaunchedMs, backMs: back, relaunched: swap.relaunched.length }
  } finally {
    await d.stop()
  }
}

/**
 * The floor: a bash script issuing the same tmux commands for `n` sessions one after another (kill, new
 * session, the launch line through a buffer, Enter), with none of ccl's checks.
 */
const floor = (n: number) => {
  const dir = mkdtempSync(path.join(tmpdir(), "ccl-bench-floor-"))
  const socket = `ccl-bench-floor-${process.pid}-${n}`
  const names = Array.from({ length: n }, (_, i) => `s-${i}`)
  try {
    const env = { ...process.env, HOME: dir }
    for (const s of names)
      execFileSync("tmux", ["-L", socket, "new-session", "-d", "-s", s, "-c", dir], { env })
    const script = path.join(dir, "swap.sh")
    const line = `CLAUDE_CONFIG_DIR=${dir}/home true --resume 0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b`
    writeFileSync(
      script,
      names
        .map((s) =>
          [
            `tmux -L ${socket} kill-session -t =${s}`,
            `tmux -L ${socket} new-session -d -s ${s} -c ${dir} -e CCL_SESSION=${s}`,
            `printf '%s' '${line}' | tmux -L ${socket} load-buffer -b b-${s} - \\; paste-buffer -p -d -b b-${s} -t =${s}:`,
            `tmux -L ${socket} send-keys -t =${s}: Enter`,
          ].join("\n"),
        )
        .join("\n"),
    )
    // HOME as for the daemon's sessions: the machine's own rc files are not measured.
    const t = process.hrtime.bigint()
    execFileSync("bash", [script], { stdio: "ignore", env: { ...process.env, HOME: dir } })
    return Number(process.hrtime.bigint() - t) / 1e6
  } finally {
    try {
      execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
    } catch {}
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

/**
 * The same commands for `n` sessions through one control-mode connection (`tmux -C`): written at once, timed until
 * tmux has answered every one (%end / %error). The launch line comes from a file (`load-buffer FILE`: a control
 * client has no stdin per command), as ccl's control layer does it.
 */
const controlFloor = async (n: number) => {
  const dir = mkdtempSync(path.join(tmpdir(), "ccl-bench-cfloor-"))
  const socket = `ccl-bench-cfloor-${process.pid}-${n}`
  const names = Array.from({ length: n }, (_, i) => `s-${i}`)
  const env = { ...process.env, HOME: dir }
  try {
    for (const s of names)
      execFileSync("tmux", ["-L", socket, "new-session", "-d", "-s", s, "-c", dir], { env })
    const lineFile = path.join(dir, "line")
    writeFileSync(
      lineFile,
      `CLAUDE_CONFIG_DIR=${dir}/home true --resume 0f6e9a52-3c1b-4d7e-9a0b-2c4d6e8f0a1b`,
    )
    const commands = names.flatMap((s) => [
      `kill-session -t =${s}`,
      `new-session -d -s ${s} -c ${dir} -e CCL_SESSION=${s}`,
      `load-buffer -b b-${s} ${lineFile}`,
      `paste-buffer -p -d -b b-${s} -t =${s}:`,
      `send-keys -t =${s}: Enter`,
    ])
    const client = spawn("tmux", ["-L", socket, "-C", "new-session", "-s", "holder", "sleep 1000"], { env })
    let out = ""
    let t = 0n
    const answered = new Promise<number>((resolve) => {
      client.stdout.on("data", (d: Buffer) => {
        out += d.toString("latin1")
        // The first block answers the client's own new-session; then one block per command.
        if (t === 0n && /^%(end|error) /m.test(out)) {
          out = ""
          t = process.hrtime.bigint()
          client.stdin.write(`${commands.join("\n")}\n`)
        } else if (t !== 0n && (out.match(/^%(end|error) /gm)?.length ?? 0) >= commands.length)
          resolve(Number(process.hrtime.bigint() - t) / 1e6)
      })
    })
    const ms = await answered
    client.stdin.end()
    return ms
  } finally {
    try {
      execFileSync("tmux", ["-L", socket, "kill-server"], { stdio: "ignore" })
    } catch {}
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
}

export const failover = async (): Promise<BenchResult> => {
  // The floors first, on a quiet machine: after a run, 40 exiting agents and their hooks still load it.
  const floor20 = floor(20)
  const floor40 = floor(40)
  const control20 = await controlFloor(20)
  const control40 = await controlFloor(40)
  const small = await measure(10, 10)
  const large = await measure(20, 20)
  const ratio = small.relaunchedMs / control20
  return {
    name: "failover",
    figures: {
      relaunched_20_ms: round(small.relaunchedMs),
      back_up_20_ms: round(small.backMs),
      floor_20_ms: round(floor20),
      control_floor_20_ms: round(control20),
      ratio_20: round(ratio, 2),
      relaunched_40_ms: round(large.relaunchedMs),
      back_up_40_ms: round(large.backMs),
      floor_40_ms: round(floor40),
      control_floor_40_ms: round(control40),
      ratio_40: round(large.relaunchedMs / control40, 2),
    },
    budget:
      "usage limit -> every session relaunched (10 pool + 10 dedicated) <= 1.5 s and <= 1.5x the same tmux commands over one control-mode connection",
    withinBudget: small.relaunchedMs <= 1_500 && ratio <= 1.5,
    note:
      "relaunched = from the limit entry the agent wrote to the swap's end (all launch lines typed); back_up = until " +
      "every agent reports ready on the second account. The gap to the floor: noticing the hit (hook or 500 ms " +
      "screen poll), saving resume ids and the journal (fsync), and checking each paste landed before Enter.",
  }
}
