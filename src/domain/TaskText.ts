import { Either } from "effect"
import { Document, isMap, parseDocument } from "yaml"
import { splitFrontmatter, TaskFormatError } from "./Frontmatter.js"

/**
 * Sets frontmatter fields in a task text, creating the frontmatter block when there is none.
 * Other keys, comments and the body are kept as they are.
 */
export const setFrontmatterFields = (
  text: string,
  fields: Readonly<Record<string, unknown>>,
): Either.Either<string, TaskFormatError> => {
  if (Object.keys(fields).length === 0) return Either.right(text)
  return Either.flatMap(splitFrontmatter(text), ({ yaml, body }) => {
    const doc = yaml === undefined ? new Document({}) : parseDocument(yaml, { schema: "core" })
    if (doc.errors.length > 0) {
      return Either.left(
        new TaskFormatError(`frontmatter is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`),
      )
    }
    if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents
    if (!isMap(doc.contents)) {
      return Either.left(new TaskFormatError('frontmatter must be a YAML mapping of "key: value" lines'))
    }
    for (const [key, value] of Object.entries(fields)) doc.set(key, value)
    return Either.right(`---\n${doc.toString({ lineWidth: 0 })}---\n${body}`)
  })
}
