import type { ConfigError } from "effect"

interface Leaf {
  readonly _op: string
  readonly path: ReadonlyArray<string>
  readonly message: string
}

const leaves = (e: ConfigError.ConfigError): Array<Leaf> => {
  if (e._op === "And" || e._op === "Or") return [...leaves(e.left), ...leaves(e.right)]
  return [
    { _op: e._op, path: "path" in e ? e.path : [], message: "message" in e ? e.message : "unsupported" },
  ]
}

const where = (p: ReadonlyArray<string>): string => (p[0] === "CCL" ? p.join("_").toUpperCase() : p.join("."))

/**
 * One readable line from a ConfigError of the file-under-environment provider: a value that is present but
 * wrong matters more than the variable that is absent (every key is "missing" from the environment).
 */
export const configErrorText = (e: ConfigError.ConfigError): string => {
  const all = leaves(e)
  const wrong = all.filter((l) => l._op !== "MissingData")
  const shown = (wrong.length > 0 ? wrong : all).map((l) => `${where(l.path)}: ${l.message}`)
  return [...new Set(shown)].join("; ")
}
