import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import { Effect, Layer } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { runHook } from "../HookRelay.js"

/** `ccl hook EVENT` without the full command tree. Always exit 0: a hook must not disturb Claude Code. */
export const runFastHook = (args: {
  readonly event: string
  readonly config: string | undefined
}): Promise<number> =>
  runHook(args.event).pipe(
    Effect.provide(Layer.merge(AppConfigLive(args.config), FetchHttpClient.layer)),
    Effect.provide(NodeFileSystem.layer),
    Effect.catchAllCause(() => Effect.void),
    Effect.as(0),
    Effect.runPromise,
  )
