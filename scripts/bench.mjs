// Bundles bench/run.ts (TypeScript) and runs it with the given benchmark names.

import { spawnSync } from "node:child_process"
import { build } from "esbuild"

await build({
  entryPoints: ["bench/run.ts"],
  outfile: "dist/bench.mjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  logLevel: "warning",
})
const r = spawnSync(process.execPath, ["dist/bench.mjs", ...process.argv.slice(2)], { stdio: "inherit" })
process.exit(r.status ?? 1)
