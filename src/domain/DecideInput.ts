import { decide, fieldsFromStrings, providerWord, type RouterSettings } from "./Route.js"
import { type Checked, parseTaskText } from "./TaskFormat.js"

// `ccl decide` from its arguments to the line it prints, or the bad-input message (exit 2): shared by the
// program (src/programs/cli/decide.ts) and the light path (src/programs/DecideLite.ts), so both say the same.
// Reading the file is the caller's: its errors are worded by whoever read it.

/** The `--field key=value` pairs as a map; the first malformed pair, or nothing to route at all, is an error. */
export const decideFields = (
  pairs: ReadonlyArray<string>,
  hasFile: boolean,
): Checked<Readonly<Record<string, string>>, string> => {
  const fields: Record<string, string> = {}
  for (const pair of pairs) {
    const eq = pair.indexOf("=")
    if (eq <= 0)
      return {
        ok: false,
        error: `--field ${JSON.stringify(pair)} is not key=value, e.g. --field preferred_ai=gemini`,
      }
    fields[pair.slice(0, eq)] = pair.slice(eq + 1)
  }
  if (!hasFile && pairs.length === 0)
    return {
      ok: false,
      error: "nothing to route: give a task FILE or --field key=value (e.g. --field preferred_ai=gemini)",
    }
  return { ok: true, value: fields }
}

/** The provider word (or, with `json`, the decision) for a task file's text under `fields`, which win. */
export const decideOutput = (
  file: { readonly name: string; readonly text: string } | undefined,
  fields: Readonly<Record<string, string>>,
  json: boolean,
  settings: RouterSettings,
): Checked<string, string> => {
  let fromFile = {}
  if (file !== undefined) {
    const parsed = parseTaskText(file.text)
    if (!parsed.ok) return { ok: false, error: `${file.name}: ${parsed.error.reason}` }
    fromFile = parsed.value.frontmatter
  }
  const overrides = fieldsFromStrings(fields)
  if (!overrides.ok) return { ok: false, error: `--field: ${overrides.error.reason}` }
  const decision = decide({ ...fromFile, ...overrides.value }, settings)
  return {
    ok: true,
    value: json
      ? JSON.stringify({ route: decision.route, provider: decision.provider, reason: decision.reason })
      : providerWord(decision),
  }
}
