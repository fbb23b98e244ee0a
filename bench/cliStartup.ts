import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { median, round } from "./stats.js"
import type { BenchResult } from "./types.js"

const CCL = path.resolve("dist/ccl.mjs")
const RUNS = 20

const once = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv, cwd: string): number => {
  const start = process.hrtime.bigint()
  const r = spawnSync(process.execPath, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`)
  return ms
}

/** `ccl decide --field preferred_ai=gemini` against bare `node -e 0`, interleaved so both see the same load. */
export const cliStartup = async (): Promise<BenchResult> => {
  const cwd = mkdtempSync(path.join(tmpdir(), "ccl-bench-cli-"))
  const env = { ...process.env, CCL_CACHE_DIR: path.join(cwd, "cache") }
  const cold = { ...env, CCL_NO_CODE_CACHE: "1" }
  const decide = [CCL, "decide", "--field", "preferred_ai=gemini"]
  const list = [CCL, "queue", "list", "--json"]
  try {
    once(decide, env, cwd) // writes the code cache, as the first run on a machine does
    once(list, env, cwd)
    const samples = {
      node: [] as Array<number>,
      decide: [] as Array<number>,
      cold: [] as Array<number>,
      list: [] as Array<number>,
    }
    for (let i = 0; i < RUNS; i++) {
      samples.node.push(once(["-e", "0"], env, cwd))
      samples.decide.push(once(decide, env, cwd))
      samples.cold.push(once(decide, cold, cwd))
      samples.list.push(once(list, env, cwd))
    }
    const node = median(samples.node)
    const ratio = median(samples.decide) / node
    return {
      name: "cli-startup",
      figures: {
        node_ms: round(node),
        decide_ms: round(median(samples.decide)),
        ratio: round(ratio, 2),
        decide_without_code_cache_ms: round(median(samples.cold)),
        ratio_without_code_cache: round(median(samples.cold) / node, 2),
        queue_list_full_cli_ms: round(median(samples.list)),
      },
      budget: "decide <= 2x bare node",
      withinBudget: ratio <= 2,
      note: "median of 20 interleaved runs; what is left is V8 deserialising the code cache, Effect's module init and GC",
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
}
