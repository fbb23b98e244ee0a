import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Console, Effect, Layer, Option } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { Router } from "../../services/Router.js"
import { decideLine } from "./decide.js"
import { toExitCode } from "./failure.js"
import type { FastDecideArgs } from "./fastArgs.js"

/** `ccl decide` without the full command tree: same output and exit codes, a fraction of the start-up. */
export const runFastDecide = (args: FastDecideArgs): Promise<number> =>
  decideLine({ file: Option.fromNullable(args.file), fields: args.fields, json: args.json }).pipe(
    Effect.flatMap(Console.log),
    Effect.provide(Router.Default.pipe(Layer.provide(AppConfigLive(args.config)))),
    toExitCode,
    Effect.provide(NodeFileSystem.layer),
    Effect.runPromise,
  )
