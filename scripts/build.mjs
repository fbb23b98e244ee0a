// Bundles the CLI into one file, dist/ccl.mjs: the program (CommonJS, minified) embedded in a small ESM loader
// that compiles it with a V8 code cache (scripts/codeCacheLoader.mjs). The loader also carries the lite hook
// relay (src/programs/HookRelayLite.ts, a few KB, no Effect) as code of its own, so that `ccl hook EVENT` from
// the daemon's sessions never reads or compiles the program. The web dashboard (src/web) is built first
// (scripts/build-web.mjs) and its files go into the program as __CCL_WEB_ASSETS__, served at GET /.

import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { build } from "esbuild"
import { buildWeb } from "./build-web.mjs"

const bundle = async (entryPoint, extra = {}) => {
  const result = await build({
    ...extra,
    entryPoints: [entryPoint],
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  })
  return result.outputFiles[0].text
}

const web = await buildWeb()
const program = await bundle("src/bin/ccl.ts", { define: { __CCL_WEB_ASSETS__: JSON.stringify(web) } })
const relay = await bundle("src/programs/HookRelayLite.ts")
// The relay must stay small and plain: an import that drags Effect in would cost every hook its startup.
if (relay.length > 16 * 1024 || relay.includes("effect/")) {
  throw new Error(`the lite hook relay is ${relay.length} bytes: does it import Effect?`)
}
// The light `ccl decide` (src/programs/DecideLite.ts) likewise: plain Node and the domain's rules, no Effect. Its
// YAML parser is a block of its own, like the program, compiled only when a file needs it.
const decideLite = await bundle("src/programs/DecideLite.ts", { external: ["yaml"] })
if (decideLite.length > 32 * 1024 || decideLite.includes("effect/")) {
  throw new Error(`the light decide is ${decideLite.length} bytes: does it import Effect or yaml?`)
}
const comments = (cjs) =>
  `(function (exports, require, module, __filename, __dirname) {${cjs}\n})`
    .split("\n")
    .map((line) => `//${line}`)
    .join("\n")
const decideYaml = comments(await bundle("src/programs/DecideLiteYaml.ts"))
const hash = createHash("sha256").update(program).digest("hex").slice(0, 16)
const loader = readFileSync(new URL("./codeCacheLoader.mjs", import.meta.url), "utf8")
  .replace("__CCL_HASH__", () => JSON.stringify(hash))
  .replace("__CCL_HOOK_RELAY__", () => relay.trim())
  .replace("__CCL_DECIDE_LITE__", () => decideLite.trim())
const embedded = comments(program)
mkdirSync("dist", { recursive: true })
writeFileSync(
  "dist/ccl.mjs",
  `${loader}\n//__CCL_YAML__\n${decideYaml}\n//__CCL_PROGRAM__${embedded.length > 0 ? "\n" : ""}${embedded}`,
)
chmodSync("dist/ccl.mjs", 0o755)
