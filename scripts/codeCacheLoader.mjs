#!/usr/bin/env node
// ccl, bundled by scripts/build.mjs. The program below is a string compiled with vm.Script and a V8 code cache
// kept in ~/.cache/ccl (CCL_CACHE_DIR; CCL_NO_CODE_CACHE=1 turns it off): Node 20 has no compile cache of its
// own, and compiling the bundle costs more than starting Node. See BENCHMARKS.md (cli-startup).
import * as fs from "node:fs"
import { createRequire } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as vm from "node:vm"

// First thing: a hook event's received_at is this moment.
const startedAt = new Date()
const HASH = __CCL_HASH__
const filename = fileURLToPath(import.meta.url)

// `ccl hook EVENT` runs on every Claude Code event, twice per task at least, in each session the daemon creates
// (which sets CCL_API_PORT and CCL_STATE). Reading, compiling and initialising the program costs ~250 ms of CPU
// a hook, so these hooks go to a small relay in plain Node instead (src/programs/HookRelayLite.ts, inlined
// below by the build), and the program is never read. The relay falls through to the program whenever the
// environment alone does not settle where the event goes.
const relay =
  process.argv[2] === "hook" && process.env.CCL_API_PORT !== undefined && process.env.CCL_STATE !== undefined
    ? hookRelayLite()
    : undefined
const hook = relay?.liteHook(process.argv.slice(2), process.env, process.cwd())
// `ccl decide`, which scripts call in loops, likewise: a small plain-Node program (src/programs/DecideLite.ts,
// inlined below by the build) answers when it can answer exactly as the program would, else the program runs.
// CCL_DECIDE_FULL=1 always runs the program (the tests compare the two).
const decided =
  hook === undefined && process.argv[2] === "decide" && !process.env.CCL_DECIDE_FULL
    ? decideLite()
    : undefined
if (hook !== undefined) relay.runHookLite(hook, startedAt)
else if (decided !== undefined) decided.print(decided.answer)
else runProgram()

/** Evaluates the lite hook relay, a CommonJS bundle, and returns its exports. */
function hookRelayLite() {
  const module = { exports: {} }
  // biome-ignore lint/correctness/noUnusedVariables: the bundle inlined below calls require()
  const require = createRequire(import.meta.url)
  __CCL_HOOK_RELAY__
  return module.exports
}

/** The light `ccl decide`'s answer and printer, or undefined when only the program can answer. */
function decideLite() {
  try {
    const module = { exports: {} }
    const nodeRequire = createRequire(import.meta.url)
    let yaml
    const lazyYaml = {
      get parseDocument() {
        yaml ??= embeddedModule("\n//__CCL_YAML__", "\n//__CCL_PROGRAM__", nodeRequire)
        return yaml.parseDocument
      },
    }
    // biome-ignore lint/correctness/noUnusedVariables: the bundle inlined below calls require()
    const require = (id) => (id === "yaml" ? lazyYaml : nodeRequire(id))
    __CCL_DECIDE_LITE__
    const { decideLite: answerOf, printDecideAnswer: print } = module.exports
    const answer = answerOf(process.argv.slice(2), process.env, process.cwd())
    return answer === undefined ? undefined : { answer, print }
  } catch {
    return undefined // never worse than the program: it runs and says what is wrong
  }
}

/** Evaluates a CommonJS block of "//" lines of this file, between two markers, and returns its exports. */
function embeddedModule(from, to, require) {
  const module = { exports: {} }
  compileCached(embeddedSource(from, to), "ccl-yaml").runInThisContext()(
    module.exports,
    require,
    module,
    filename,
    path.dirname(filename),
  )
  return module.exports
}

/**
 * A block of this file: the "//" lines after the marker `from` (up to `to`, else to the end), a CommonJS module
 * wrapped as a function. Comments cost the parser far less than a string literal of the same size.
 */
function embeddedSource(from, to) {
  const self = fs.readFileSync(filename, "utf8")
  const start = self.lastIndexOf(from) + from.length
  const end = to === undefined ? self.length : self.indexOf(to, start)
  return self
    .slice(start, end)
    .replace(/\n\/\//g, "\n")
    .slice(1)
}

/** `source` compiled with a V8 code cache kept in the cache folder under `name` and this build's hash. */
function compileCached(source, name) {
  const build = `${HASH}-${process.version}-${process.arch}.v8`
  const cacheFile = (() => {
    if (process.env.CCL_NO_CODE_CACHE) return undefined
    try {
      const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache")
      const dir = process.env.CCL_CACHE_DIR || path.join(base, "ccl")
      return path.join(dir, `${name}-${build}`)
    } catch {
      return undefined
    }
  })()

  let cachedData
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile)
    } catch {}
  }
  const script = new vm.Script(source, {
    filename,
    cachedData,
  })
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // Written at exit so the functions this run compiled are in the cache too; temp + rename, never torn.
    process.once("exit", () => {
      try {
        fs.mkdirSync(path.dirname(cacheFile), { recursive: true, mode: 0o700 })
        const tmp = `${cacheFile}.${process.pid}.tmp`
        fs.writeFileSync(tmp, script.createCachedData(), { mode: 0o600 })
        fs.renameSync(tmp, cacheFile)
        // Caches of other builds or Node versions are dead weight: drop them.
        for (const file of fs.readdirSync(path.dirname(cacheFile))) {
          if (/^ccl-.*\.v8$/.test(file) && !file.endsWith(`-${build}`)) {
            fs.rmSync(path.join(path.dirname(cacheFile), file), { force: true })
          }
        }
      } catch {}
    })
  }
  return script
}

function runProgram() {
  // The program, wrapped as a CommonJS function, is the block of "//" lines after the last marker.
  const script = compileCached(embeddedSource("\n//__CCL_PROGRAM__"), "ccl")
  const module = { exports: {} }
  script.runInThisContext()(
    module.exports,
    createRequire(import.meta.url),
    module,
    filename,
    path.dirname(filename),
  )
}
