// Builds the web dashboard (src/web) into dist/web: index.html, app.js (Preact and the views, one minified ES
// module) and app.css. Returns the three files by name, for the program's bundle to embed (build.mjs), so that
// `ccl daemon` serves them from memory, with nothing to find on disk.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { build } from "esbuild"

const bundleWeb = async (entryPoint, extra = {}) => {
  const result = await build({
    ...extra,
    entryPoints: [entryPoint],
    bundle: true,
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    write: false,
    logLevel: "warning",
  })
  return result.outputFiles[0].text
}

export const buildWeb = async () => {
  const files = {
    "index.html": readFileSync("src/web/index.html", "utf8"),
    "app.js": await bundleWeb("src/web/main.tsx", {
      format: "esm",
      jsx: "automatic",
      jsxImportSource: "preact",
      tsconfig: "tsconfig.web.json",
    }),
    "app.css": await bundleWeb("src/web/style.css"),
  }
  // The page loads exactly these two files: a rename here must not leave it blank.
  for (const ref of ['src="/app.js"', 'href="/app.css"'])
    if (!files["index.html"].includes(ref)) throw new Error(`src/web/index.html must load ${ref}`)
  mkdirSync("dist/web", { recursive: true })
  for (const [name, text] of Object.entries(files)) writeFileSync(`dist/web/${name}`, text)
  return files
}
