// Bundles the CLI into one file, dist/ccl.mjs: the program (CommonJS, minified) embedded in a small ESM loader
// that compiles it with a V8 code cache (scripts/codeCacheLoader.mjs).

import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { build } from "esbuild"

const result = await build({
  entryPoints: ["src/bin/ccl.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "none",
  write: false,
  logLevel: "warning",
})
const program = result.outputFiles[0].text
const hash = createHash("sha256").update(program).digest("hex").slice(0, 16)
const loader = readFileSync(new URL("./codeCacheLoader.mjs", import.meta.url), "utf8").replace(
  "__CCL_HASH__",
  () => JSON.stringify(hash),
)
const embedded = `(function (exports, require, module, __filename, __dirname) {${program}\n})`
  .split("\n")
  .map((line) => `//${line}`)
  .join("\n")
mkdirSync("dist", { recursive: true })
writeFileSync("dist/ccl.mjs", `${loader}\n//__CCL_PROGRAM__${embedded.length > 0 ? "\n" : ""}${embedded}`)
chmodSync("dist/ccl.mjs", 0o755)
