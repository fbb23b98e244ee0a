// Adds lockfile entries for optional platform packages (biome, rollup, msgpackr-extract binaries for other
// systems) that the npm mirror of this workplace does not serve: without them `npm ci` refuses the lock as
// "out of sync". The entries carry os/cpu/libc, so npm ci skips them here and fetches them elsewhere.
// Run after every `npm install` that changes package-lock.json: node scripts/complete-lock.mjs
import { readFileSync, writeFileSync } from "node:fs"

const OS = ["android", "darwin", "freebsd", "linux", "openbsd", "openharmony", "win32", "sunos", "aix"]
const CPU = ["arm64", "x64", "ia32", "arm", "loong64", "ppc64", "riscv64", "s390x"]

/** os, cpu and libc from a platform package name such as `cli-linux-x64-musl` or `rollup-win32-ia32-msvc`. */
const platformOf = (name) => {
  const parts = name.split("/").pop().split("-")
  const os = parts.find((p) => OS.includes(p))
  const cpu = parts.find((p) => CPU.includes(p))
  if (os === undefined || cpu === undefined) return undefined
  const libc =
    os === "linux" ? (parts.includes("musl") || parts.includes("musleabihf") ? "musl" : "glibc") : undefined
  return { os, cpu, libc }
}

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"))
const added = []
for (const [key, entry] of Object.entries(lock.packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const at = `node_modules/${name}`
    if (lock.packages[at] !== undefined || (key !== "" && lock.packages[`${key}/${at}`] !== undefined))
      continue
    const platform = platformOf(name)
    if (platform === undefined || !/^\d+\.\d+\.\d+$/.test(spec)) continue
    lock.packages[at] = {
      version: spec,
      cpu: [platform.cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(platform.libc ? { libc: [platform.libc] } : {}),
      optional: true,
      os: [platform.os],
    }
    added.push(`${name}@${spec}`)
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
)
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`)
console.log(
  added.length === 0 ? "package-lock.json: complete" : `package-lock.json: added ${added.join(", ")}`,
)
