import { spawnSync } from "node:child_process"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
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

/**
 * `ccl decide --field preferred_ai=gemini` against bare `node -e 0`, interleaved so both see the same load; also
 * `ccl decide FILE` (a task with frontmatter: the YAML parser is loaded) and the program's own decide path.
 */
export const cliStartup = async (): Promise<BenchResult> => {
  const cwd = mkdtempSync(path.join(tmpdir(), "ccl-bench-cli-"))
  const env = { ...process.env, CCL_CACHE_DIR: path.join(cwd, "cache") }
  const cold = { ...env, CCL_NO_CODE_CACHE: "1" }
  const decide = [CCL, "decide", "--field", "preferred_ai=gemini"]
  const withFile = [CCL, "decide", "task.md"]
  const program = { ...env, CCL_DECIDE_FULL: "1" }
  writeFileSync(
    path.join(cwd, "task.md"),
    "---\nallow_delegation: true\ncomplexity_hint: low\n---\nSummarise\n",
  )
  const list = [CCL, "queue", "list", "--json"]
  try {
    once(decide, env, cwd) // writes the code cache, as the first run on a machine does
    once(withFile, env, cwd)
    once(decide, program, cwd)
    once(list, env, cwd)
    const samples = {
      node: [] as Array<number>,
      decide: [] as Array<number>,
      file: [] as Array<number>,
      program: [] as Array<number>,
      cold: [] as Array<number>,
      list: [] as Array<number>,
    }
    for (let i = 0; i < RUNS; i++) {
      samples.node.push(once(["-e", "0"], env, cwd))
      samples.decide.push(once(decide, env, cwd))
      samples.file.push(once(withFile, env, cwd))
      samples.program.push(once(decide, program, cwd))
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
        decide_file_ms: round(median(samples.file)),
        ratio_file: round(median(samples.file) / node, 2),
        decide_program_ms: round(median(samples.program)),
        ratio_program: round(median(samples.program) / node, 2),
        decide_without_code_cache_ms: round(median(samples.cold)),
        ratio_without_code_cache: round(median(samples.cold) / node, 2),
        queue_list_full_cli_ms: round(median(samples.list)),
      },
      budget: "decide <= 1.5x bare node",
      withinBudget: ratio <= 1.5,
      note: "median of 20 interleaved runs; decide is answered by the light path (no Effect), the YAML parser loaded only for a file; program = CCL_DECIDE_FULL=1",
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true })
  }
}
