import { Console, Effect } from "effect"
import { CliFailure, describeError } from "../failure.js"

/** What one id of a several-id command did: a line for people, a record for `--json`. */
export interface TaskDone {
  readonly line: string
  readonly json: Record<string, unknown>
}

/**
 * Runs `one` for every id in turn, each reported (stdout when done, one `ccl:` line on stderr when not); `--json`
 * prints one list with every id's outcome. Exits with the highest code of them: a single id's own error line, or for
 * several a summary line after theirs.
 */
export const eachTask = <R>(
  ids: ReadonlyArray<string>,
  what: string,
  json: boolean,
  one: (id: string) => Effect.Effect<TaskDone, unknown, R>,
) =>
  Effect.gen(function* () {
    const failures: Array<CliFailure> = []
    const records: Array<Record<string, unknown>> = []
    for (const id of ids) {
      const outcome = yield* Effect.either(one(id))
      if (outcome._tag === "Right") {
        records.push(outcome.right.json)
        if (!json) yield* Console.log(outcome.right.line)
        continue
      }
      const e = outcome.left
      const { line, code } = e instanceof CliFailure ? { line: e.message, code: e.code } : describeError(e)
      const failed = new CliFailure({ message: line, code: code === 2 ? 2 : 1 })
      failures.push(failed)
      records.push({ id, error: failed.message, exit: failed.code })
      if (ids.length > 1) yield* Console.error(`ccl: ${failed.message}`)
    }
    if (json) yield* Console.log(JSON.stringify(records))
    if (failures.length === 0) return
    if (ids.length === 1) return yield* failures[0]!
    const worst = Math.max(...failures.map((f) => f.code)) as 1 | 2
    return yield* new CliFailure({
      message: `${failures.length} of ${ids.length} tasks not ${what}`,
      code: worst,
    })
  })
