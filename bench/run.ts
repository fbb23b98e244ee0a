// npm run bench [-- name...]: runs the benchmarks, prints a table, merges the figures into bench/results.json.

import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import { cliStartup } from "./cliStartup.js"
import { daemonIdle } from "./daemonIdle.js"
import { dispatchLatency } from "./dispatchLatency.js"
import { dispatchThroughput } from "./dispatchThroughput.js"
import { failover } from "./failover.js"
import { pgClaims } from "./pgClaims.js"
import { pgDispatchLatency } from "./pgDispatchLatency.js"
import { queueRecent } from "./queueRecent.js"
import { queueScan } from "./queueScan.js"
import { reaper } from "./reaper.js"
import type { BenchResult } from "./types.js"

const BENCHES: Record<string, () => Promise<BenchResult>> = {
  "cli-startup": cliStartup,
  "queue-scan": queueScan,
  "queue-recent": queueRecent,
  reaper,
  "dispatch-latency": dispatchLatency,
  "dispatch-throughput": dispatchThroughput,
  failover,
  "daemon-idle": daemonIdle,
  "pg-claims": pgClaims,
  "pg-dispatch-latency": pgDispatchLatency,
}

const machine = () => {
  let tmux = "not found"
  try {
    tmux = execFileSync("tmux", ["-V"], { encoding: "utf8" }).trim()
  } catch {}
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memory_gib: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    tmux,
    os: `${os.type()} ${os.release()}`,
  }
}

const main = async () => {
  const wanted = process.argv.slice(2)
  const names = wanted.length > 0 ? wanted : Object.keys(BENCHES)
  const unknown = names.filter((n) => !(n in BENCHES))
  if (unknown.length > 0) {
    console.error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${Object.keys(BENCHES).join(", ")}`)
    process.exit(2)
  }
  let previous: { results?: Record<string, BenchResult> } = {}
  try {
    previous = JSON.parse(readFileSync("bench/results.json", "utf8"))
  } catch {}
  const results: Record<string, BenchResult> = { ...previous.results }
  for (const name of names) {
    process.stdout.write(`running ${name}...\n`)
    const started = Date.now()
    const r = await BENCHES[name]!()
    results[name] = r
    const figures = Object.entries(r.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join("  ")
    console.log(
      `${r.withinBudget ? "ok  " : "MISS"} ${name.padEnd(16)} ${figures}\n     budget: ${r.budget} (ran ${Math.round((Date.now() - started) / 1000)} s)`,
    )
  }
  const out = { ran_at: new Date().toISOString(), machine: machine(), results }
  writeFileSync("bench/results.json", `${JSON.stringify(out, null, 2)}\n`)
  console.log("wrote bench/results.json")
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
