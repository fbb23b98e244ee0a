// Bundles bench/run.ts (TypeScript) and runs it with the given benchmark names. bench/pgClaimer.ts, a claimer
// process of pg-claims, is bundled beside it.

import { spawnSync } from "node:child_process"
import { build } from "esbuild"

await build({
  entryPoints: { bench: "bench/run.ts", "bench-pg-claimer": "bench/pgClaimer.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  logLevel: "warning",
})
const r = spawnSync(process.execPath, ["dist/bench.mjs", ...process.argv.slice(2)], { stdio: "inherit" })
process.exit(r.status ?? 1)
