import { Either } from "effect"
import {
  type Checked,
  checkFrontmatter,
  type Frontmatter,
  type ParsedTask,
  parseTaskText,
  parseYamlText,
  splitFrontmatterText,
  type TaskFormatError,
} from "./TaskFormat.js"

// The task file format as Eithers, for the Effect program. The rules themselves are in TaskFormat.ts (plain
// TypeScript, shared with the light `ccl decide`).

export {
  type ComplexityHint,
  ComplexityHints,
  type Frontmatter,
  KnownAi,
  MAX_FRONTMATTER_BYTES,
  MAX_TASK_BYTES,
  type ParsedTask,
  TaskFormatError,
} from "./TaskFormat.js"

const toEither = <A, E>(c: Checked<A, E>): Either.Either<A, E> =>
  c.ok ? Either.right(c.value) : Either.left(c.error)

/** Splits `---` frontmatter from the body. Text without an opening `---` line is all body. */
export const splitFrontmatter = (
  text: string,
): Either.Either<{ readonly yaml: string | undefined; readonly body: string }, TaskFormatError> =>
  toEither(splitFrontmatterText(text))

/** Validates an already-parsed frontmatter object (also used for `--field key=value` maps). */
export const validateFrontmatter = (value: unknown): Either.Either<Frontmatter, TaskFormatError> =>
  toEither(checkFrontmatter(value))

/** Parses YAML text safely: core schema only (no custom tags, nothing evaluated), bounded aliases. */
export const parseYaml = (yaml: string): Either.Either<unknown, string> => toEither(parseYamlText(yaml))

/** Parses a whole task file: size cap, frontmatter split, YAML, schema. */
export const parseTask = (text: string): Either.Either<ParsedTask, TaskFormatError> =>
  toEither(parseTaskText(text))
