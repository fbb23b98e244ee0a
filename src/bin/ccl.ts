// Entry point: wiring only. The commands other programs call in loops (`decide` from scripts, `hook` from
// Claude Code) take a lighter path than the full CLI.
import { parseFastDecide, parseFastHook } from "../programs/cli/fastArgs.js"

const argv = process.argv.slice(2)
const fastDecide = parseFastDecide(argv)
const fastHook = fastDecide === undefined ? parseFastHook(argv) : undefined
const setExitCode = (code: number) => {
  process.exitCode = code
}
if (fastDecide !== undefined) {
  import("../programs/cli/decideFast.js").then((m) => m.runFastDecide(fastDecide)).then(setExitCode)
} else if (fastHook !== undefined) {
  import("../programs/cli/hookFast.js").then((m) => m.runFastHook(fastHook)).then(setExitCode)
} else {
  import("../programs/cli/main.js").then((m) => m.runCli(process.argv))
}
