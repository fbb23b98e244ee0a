import type { Command } from "@effect/cli"
import type { ArgSpec, CommandSpec, OptionSpec } from "../../domain/CommandSpec.js"

// @effect/cli 0.77 (pinned in package.json) gives no public way down a command tree (getSubcommands stops one
// level down) nor to an option's type: this reads its descriptor objects, by their `_tag`s, into plain data.
// A new @effect/cli version is checked by test/cli/commandLine.test.ts, which runs against every command.

// biome-ignore lint/suspicious/noExplicitAny: @effect/cli's internal instructions, read by tag
type Node = any

interface HelpNode {
  readonly _tag: string
  readonly value?: Node
  readonly left?: HelpNode
  readonly right?: HelpNode
  readonly definitions?: ReadonlyArray<readonly [Node, HelpNode]>
  readonly elements?: ReadonlyArray<HelpNode>
}

/** A span of help text as plain words. */
const spanText = (span: Node): string =>
  span === undefined
    ? ""
    : span._tag === "Sequence"
      ? spanText(span.left) + spanText(span.right)
      : typeof span.value === "string"
        ? span.value
        : spanText(span.value)

/** A HelpDoc (a description) as one plain paragraph per block, joined by spaces. */
export const helpDocText = (doc: HelpNode | undefined): string => {
  if (doc === undefined) return ""
  switch (doc._tag) {
    case "Header":
    case "Paragraph":
      return spanText(doc.value)
    case "Sequence":
      return [helpDocText(doc.left), helpDocText(doc.right)].filter((t) => t !== "").join(" ")
    case "DescriptionList":
      return (doc.definitions ?? []).map(([span, d]) => `${spanText(span)}: ${helpDocText(d)}`).join(" ")
    case "Enumeration":
      return (doc.elements ?? []).map(helpDocText).join(" ")
    default:
      return ""
  }
}

const valueKind = (primitive: Node): OptionSpec["value"] =>
  primitive._tag === "Integer"
    ? "integer"
    : primitive._tag === "Float"
      ? "float"
      : primitive._tag === "Choice"
        ? primitive.alternatives.map(([name]: [string]) => name)
        : "text"

const optionsOf = (node: Node, optional: boolean, repeated: boolean): Array<OptionSpec> => {
  switch (node?._tag) {
    case "Single": {
      const value = valueKind(node.primitiveType)
      const flag = node.primitiveType._tag === "Bool"
      return [
        {
          names: [node.fullName, ...node.aliases.map((a: string) => (a.length === 1 ? `-${a}` : `--${a}`))],
          kind: flag ? "flag" : "value",
          value,
          placeholder: Array.isArray(value) ? value.join("|") : String(node.placeholder).toUpperCase(),
          description: helpDocText(node.description),
          optional: optional || flag,
          repeated,
        },
      ]
    }
    case "Map":
      return optionsOf(node.options, optional, repeated)
    case "WithDefault":
    case "WithFallback":
      return optionsOf(node.options, true, repeated)
    case "Variadic":
      return optionsOf(node.argumentOption, optional || node.min?._tag !== "Some", true)
    case "KeyValueMap":
      return optionsOf(node.argumentOption, optional, true)
    case "Both":
    case "OrElse":
      return [
        ...optionsOf(node.left, optional || node._tag === "OrElse", repeated),
        ...optionsOf(node.right, optional || node._tag === "OrElse", repeated),
      ]
    default:
      return []
  }
}

const argsOf = (node: Node, optional: boolean, repeated: boolean): Array<ArgSpec> => {
  switch (node?._tag) {
    case "Single":
      return [
        {
          name: node.pseudoName?._tag === "Some" ? node.pseudoName.value : node.name,
          description: helpDocText(node.description),
          optional,
          repeated,
        },
      ]
    case "Map":
      return argsOf(node.args, optional, repeated)
    case "WithDefault":
    case "WithFallbackConfig":
      return argsOf(node.args, true, repeated)
    case "Variadic":
      return argsOf(node.args, optional || node.min?._tag !== "Some" || node.min.value === 0, true)
    case "Both":
      return [...argsOf(node.left, optional, repeated), ...argsOf(node.right, optional, repeated)]
    default:
      return []
  }
}

const specOf = (node: Node): CommandSpec => {
  switch (node._tag) {
    case "Map":
      return specOf(node.command)
    case "Subcommands": {
      const parent = specOf(node.parent)
      return { ...parent, children: node.children.map(specOf) }
    }
    case "Standard":
      return {
        name: node.name,
        description: helpDocText(node.description),
        options: optionsOf(node.options, false, false),
        args: argsOf(node.args, false, false),
        children: [],
      }
    default:
      return {
        name: node.name,
        description: helpDocText(node.description),
        options: [],
        args: [],
        children: [],
      }
  }
}

/** The plain tree of an @effect/cli command: names, options, arguments, descriptions, subcommands. */
export const commandSpecOf = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>,
): CommandSpec => specOf(command.descriptor)
