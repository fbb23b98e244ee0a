// The YAML parser of the light `ccl decide` (DecideLite.ts), bundled apart by scripts/build.mjs: the loader reads
// and compiles it only when a task's frontmatter or a ccl.yaml needs parsing, not on every start.
export { parseDocument } from "yaml"
