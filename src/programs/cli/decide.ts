import * as FileSystem from "@effect/platform/FileSystem"
import { Effect, Option } from "effect"
import { decideFields, decideOutput } from "../../domain/DecideInput.js"
import { Router } from "../../services/Router.js"
import { badInput } from "./failure.js"

export interface DecideRequest {
  readonly file: Option.Option<string>
  readonly fields: ReadonlyArray<string>
  readonly json: boolean
}

/** Routes a task file and/or `key=value` fields (fields override the file) and returns the line to print. */
export const decideLine = ({ file, fields, json }: DecideRequest) =>
  Effect.gen(function* () {
    const router = yield* Router
    const pairs = decideFields(fields, Option.isSome(file))
    if (!pairs.ok) return yield* badInput(pairs.error)
    let read: { readonly name: string; readonly text: string } | undefined
    if (Option.isSome(file)) {
      const fs = yield* FileSystem.FileSystem
      const text = yield* fs
        .readFileString(file.value)
        .pipe(Effect.mapError((e) => badInput(`cannot read task file ${file.value}: ${e.message}`)))
      read = { name: file.value, text }
    }
    const line = decideOutput(read, pairs.value, json, router.settings)
    return line.ok ? line.value : yield* badInput(line.error)
  })
