import { Args, Command, Options } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { Router } from "../../services/Router.js"
import { decideLine } from "./decide.js"
import { configOption, jsonOption } from "./options.js"

/** `decide FILE | --field k=v...`: prints the provider word (`local`, `gemini`...) or, with --json, the decision. */
export const makeDecideCommand = <const Name extends string>(name: Name) =>
  Command.make(
    name,
    {
      file: Args.text({ name: "FILE" }).pipe(Args.withDescription("a task file to route"), Args.optional),
      field: Options.text("field").pipe(
        Options.withDescription(
          "a frontmatter field as key=value (repeatable), e.g. --field preferred_ai=gemini",
        ),
        Options.repeated,
      ),
      json: jsonOption,
      config: configOption,
    },
    ({ file, field, json }) => Effect.flatMap(decideLine({ file, fields: field, json }), Console.log),
  ).pipe(
    Command.withDescription(
      "Route a task: prints local or the remote provider (the contract bash scripts call)",
    ),
    Command.provide(({ config }) =>
      Router.Default.pipe(Layer.provide(AppConfigLive(Option.getOrUndefined(config)))),
    ),
  )
