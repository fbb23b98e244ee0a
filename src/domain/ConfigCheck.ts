import {
  CONFIG,
  type ConfigKind,
  type ConfigSection,
  durationSetting,
  envName,
  isLeaf,
  unknownKey,
} from "./ConfigContract.js"
import { isNotifyEvent } from "./Notification.js"
import type { RouterSettings } from "./Route.js"

// ConfigContract.ts judged without Effect, for the light `ccl decide`. It answers only when it is sure the
// program's loader (AppConfigLive.ts) would accept the same file and environment: values of the plain YAML type
// of their kind, overrides in their plainest spelling. Anything else (a wrong value, an unusual spelling the
// loader may still accept) is "unsure", and the full program reads the configuration and words any error.

type Env = Readonly<Record<string, string | undefined>>
const UNSURE = Symbol("unsure")
type Read = unknown

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  "1": true,
  false: false,
  no: false,
  off: false,
  "0": false,
}
const isPort = (n: number) => Number.isInteger(n) && n >= 1 && n <= 65535
const isText = (v: unknown): v is string => typeof v === "string" && !v.includes("\ufeff")
const isWord = (v: unknown): v is string => isText(v) && v !== ""
// Items of a list are trimmed by the loader; an empty list reads as one "<nil>" item (an Effect quirk): unsure.
const isItem = (v: unknown): v is string => isWord(v) && v === v.trim()

/** A value from the YAML document, as the loader would read it, or UNSURE. */
const fromFile = (kind: ConfigKind, v: unknown, pathKey: string | undefined): Read => {
  if (typeof kind !== "string") return typeof v === "string" && kind.includes(v) ? v : UNSURE
  switch (kind) {
    case "string":
      return isText(v) ? v : UNSURE
    case "nonEmpty":
      return isWord(v) ? v : UNSURE
    case "positiveInt":
      return typeof v === "number" && Number.isSafeInteger(v) && v >= 1 ? v : UNSURE
    case "duration":
      return isText(v) && "ms" in durationSetting(v) ? v : UNSURE
    case "boolean":
      return typeof v === "boolean" ? v : UNSURE
    case "port":
      return typeof v === "number" && isPort(v) ? v : UNSURE
    case "strings":
      return Array.isArray(v) && v.length > 0 && v.every(isItem) ? v : UNSURE
    case "dirs":
      return Array.isArray(v) &&
        v.every(
          (item) =>
            item !== null &&
            typeof item === "object" &&
            !Array.isArray(item) &&
            isItem(item.name) &&
            isItem(item[pathKey ?? ""]),
        )
        ? v
        : UNSURE
    case "webhooks":
      // Shape already checked (webhooksProblem); sure only of the plainest spelling of each field.
      return Array.isArray(v) &&
        v.every(
          (item) =>
            isItem(item.url) &&
            (item.events === undefined ||
              item.events === null ||
              (Array.isArray(item.events) &&
                item.events.every((e: unknown) => isItem(e) && isNotifyEvent(e)))) &&
            (item.format === undefined || item.format === "json" || item.format === "ntfy") &&
            (item.secret_env === undefined || isItem(item.secret_env)),
        )
        ? v
        : UNSURE
  }
}

/**
 * A value from an environment variable, as the loader would read it, or UNSURE. The loader splits every variable
 * at commas and trims the pieces: only lists may have commas, and nothing may have edge spaces.
 */
const fromEnv = (kind: ConfigKind, text: string): Read => {
  if (text !== text.trim() || (kind !== "strings" && text.includes(","))) return UNSURE
  if (typeof kind !== "string") return kind.includes(text) ? text : UNSURE
  switch (kind) {
    case "string":
      return text
    case "nonEmpty":
      return text === "" ? UNSURE : text
    case "positiveInt":
      return /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : UNSURE
    case "duration":
      return "ms" in durationSetting(text) ? text : UNSURE
    case "boolean":
      return BOOLEAN_WORDS[text] ?? UNSURE
    case "port":
      return /^[1-9][0-9]*$/.test(text) && isPort(Number(text)) ? Number(text) : UNSURE
    case "strings": {
      const items = text.split(/\s*,\s*/).map((s) => s.trim())
      return items.every((s) => s !== "") ? items : UNSURE
    }
    case "dirs":
    case "webhooks":
      return UNSURE
  }
}

/** Every key of `section` read from `doc` under the environment into `out` (by dotted path); false if unsure. */
const walk = (
  section: ConfigSection,
  doc: unknown,
  path: ReadonlyArray<string>,
  env: Env,
  out: Map<string, Read>,
): boolean => {
  // A key with no value (YAML null) is as good as absent: the loader drops it.
  if (doc !== undefined && doc !== null && (typeof doc !== "object" || Array.isArray(doc))) return false
  const values = (doc ?? {}) as Record<string, unknown>
  for (const [key, node] of Object.entries(section)) {
    const at = [...path, key]
    if (!isLeaf(node)) {
      if (!walk(node, values[key], at, env, out)) return false
      continue
    }
    const name = envName(at)
    const text = env[name]
    // Lists of sessions, accounts or webhooks from the environment take indexed names: only the loader reads them.
    if (
      (node.kind === "dirs" || node.kind === "webhooks") &&
      Object.keys(env).some((k) => k.startsWith(name))
    )
      return false
    const value =
      text !== undefined
        ? fromEnv(node.kind, text)
        : values[key] !== undefined && values[key] !== null
          ? fromFile(node.kind, values[key], node.pathKey)
          : node.fallback
    if (value === UNSURE) return false
    out.set(at.join("."), value)
  }
  return true
}

/**
 * The routing settings of a ccl.yaml document (`undefined` when there is no file) under the environment, or
 * undefined unless the program's loader would surely accept both.
 */
export const routingSettings = (doc: unknown, env: Env): RouterSettings | undefined => {
  if (doc !== undefined) {
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return undefined
    if (unknownKey(doc as Record<string, unknown>) !== undefined) return undefined
  }
  const out = new Map<string, Read>()
  if (!walk(CONFIG as unknown as ConfigSection, doc, [], env, out)) return undefined
  const word = (key: string) => out.get(key) as string
  return {
    delegationEnabled: (env.SECUTOOLS_API_KEY ?? "").trim() !== "",
    providers: out.get("delegation.providers") as ReadonlyArray<string>,
    complexity: {
      low: word("delegation.complexity.low"),
      medium: word("delegation.complexity.medium"),
      high: word("delegation.complexity.high"),
    },
  }
}
