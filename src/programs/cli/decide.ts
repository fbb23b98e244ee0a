import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Either, Option } from "effect"
import { parseTask } from "../../domain/Frontmatter.js"
import { frontmatterFromStrings, providerWord } from "../../domain/Route.js"
import { Router } from "../../services/Router.js"
import { badInput } from "./failure.js"

export interface DecideRequest {
  readonly file: Option.Option<string>
  readonly fields: ReadonlyArray<string>
  readonly json: boolean
}

const parseFields = (pairs: ReadonlyArray<string>) => {
  const fields: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf("=")
    if (eq <= 0)
      return Either.left(`--field ${JSON.stringify(pair)} is not key=value, e.g. --field preferred_ai=gemini`)
    fields[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  return Either.right(fields)
}

/** Routes a task file and/or `key=value` fields (fields override the file) and returns the line to print. */
export const decideLine = ({ file, fields, json }: DecideRequest) =>
  Effect.gen(function* () {
    const router = yield* Router
    const pairs = parseFields(fields)
    if (Either.isLeft(pairs)) return yield* badInput(pairs.left)
    if (Option.isNone(file) && fields.length === 0) {
      return yield* badInput(
        "nothing to route: give a task FILE or --field key=value (e.g. --field preferred_ai=gemini)",
      )
    }
    let fromFile = {}
    if (Option.isSome(file)) {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs
        .readFileString(file.value)
        .pipe(Effect.mapError((e) => badInput(`cannot read task file ${file.value}: ${e.message}`)))
      const parsed = parseTask(text)
      if (Either.isLeft(parsed)) return yield* badInput(`${file.value}: ${parsed.left.reason}`)
      fromFile = parsed.right.frontmatter
    }
    const overrides = frontmatterFromStrings(pairs.right)
    if (Either.isLeft(overrides)) return yield* badInput(`--field: ${overrides.left.reason}`)
    const decision = router.decide({ ...fromFile, ...overrides.right })
    return json
      ? JSON.stringify({ route: decision.route, provider: decision.provider, reason: decision.reason })
      : providerWord(decision)
  })
