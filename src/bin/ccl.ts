// Entry point: wiring only. `ccl decide` (called by scripts in loops) takes a lighter path than the full CLI.
import { parseFastDecide } from "../programs/cli/fastArgs.js"

const fast = parseFastDecide(process.argv.slice(2))
if (fast !== undefined) {
  import("../programs/cli/decideFast.js")
    .then((m) => m.runFastDecide(fast))
    .then((code) => {
      process.exitCode = code
    })
} else {
  import("../programs/cli/main.js").then((m) => m.runCli(process.argv))
}
