import * as path from "node:path"
import { Command } from "@effect/cli"
import { Console, Effect, Layer, Option } from "effect"
import type { Settings } from "../../domain/Settings.js"
import { foundText, type LinkProblem, renderProblem } from "../../domain/SharedLinks.js"
import { AppConfigLive } from "../../layers/AppConfigLive.js"
import { SymlinkFsNode } from "../../layers/SymlinkFsNode.js"
import { AppConfig } from "../../services/AppConfig.js"
import { SymlinkFs } from "../../services/SymlinkFs.js"
import { accountsList } from "./AccountsList.js"
import { badInput } from "./failure.js"
import { configOption, jsonOption } from "./options.js"

const linksLayer = (config: Option.Option<string>) =>
  Layer.merge(AppConfigLive(Option.getOrUndefined(config)), SymlinkFsNode)

/** The configured accounts, or exit 2 saying how to add some. */
const configuredAccounts = (settings: Settings) =>
  settings.accounts.length > 0
    ? Effect.succeed(settings.accounts)
    : Effect.fail(
        badInput(
          "no accounts in the config: add accounts: [{ name: main, home: ~/.claude-main }, ...] to ccl.yaml",
        ),
      )

const problemJson = (p: LinkProblem) => ({
  account: p.account,
  path: p.path,
  found: foundText(p.found),
  expected: p.expected,
  fix: p.fix,
  message: renderProblem(p),
})

/** Every problem on stderr, one line each, then exit 2. */
const reportProblems = (problems: ReadonlyArray<LinkProblem>) =>
  Effect.zipRight(
    Effect.forEach(problems, (p) => Console.error(`ccl: ${renderProblem(p)}`), { discard: true }),
    Effect.fail(
      badInput(
        `${problems.length} problem${problems.length === 1 ? "" : "s"} with shared links; ccl moved and deleted nothing`,
      ),
    ),
  )

const check = Command.make("check", { json: jsonOption, config: configOption }, ({ json }) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const links = yield* SymlinkFs
    const accounts = yield* configuredAccounts(settings)
    const { root, required } = settings.shared
    const problems = yield* links.validateAll(accounts, root, required)
    if (json) {
      yield* Console.log(
        JSON.stringify({
          ok: problems.length === 0,
          shared: root,
          required,
          accounts: accounts.map((a) => ({ name: a.name, home: a.home })),
          problems: problems.map(problemJson),
        }),
      )
    } else if (problems.length === 0) {
      for (const a of accounts)
        yield* Console.log(`ok ${a.name}: ${a.home} links ${required.join(", ")} to ${root}`)
    }
    if (problems.length > 0) return yield* reportProblems(problems)
  }),
).pipe(
  Command.withDescription("Check that every account home links the shared folders (changes nothing)"),
  Command.provide(({ config }) => linksLayer(config)),
)

const ensure = Command.make("ensure", { json: jsonOption, config: configOption }, ({ json }) =>
  Effect.gen(function* () {
    const settings = yield* AppConfig
    const links = yield* SymlinkFs
    const accounts = yield* configuredAccounts(settings)
    const { root, required } = settings.shared
    const results = yield* Effect.forEach(accounts, (a) =>
      links.ensureForAccount(a.home, root, required, a.name).pipe(
        Effect.map((r) => ({ ...r, problems: [] as ReadonlyArray<LinkProblem> })),
        Effect.catchTag("SharedLinksBroken", (e) => Effect.succeed(e)),
      ),
    )
    const problems = results.flatMap((r) => r.problems)
    if (json) {
      yield* Console.log(
        JSON.stringify({
          ok: problems.length === 0,
          accounts: results.map((r) => ({
            name: r.account,
            home: r.home,
            created_links: r.createdLinks,
            created_dirs: r.createdDirs,
            problems: r.problems.map(problemJson),
          })),
        }),
      )
    } else {
      for (const r of results) {
        for (const d of r.createdDirs) yield* Console.log(`${r.account}: created directory ${d}`)
        for (const l of r.createdLinks) {
          yield* Console.log(`${r.account}: linked ${l} -> ${path.join(root, path.basename(l))}`)
        }
        if (r.createdDirs.length + r.createdLinks.length === 0 && r.problems.length === 0) {
          yield* Console.log(`ok ${r.account}: ${r.home} already links ${required.join(", ")}`)
        }
      }
    }
    if (problems.length > 0) return yield* reportProblems(problems)
  }),
).pipe(
  Command.withDescription(
    "Create missing shared links and folders in every account home; refuse (and report) anything else",
  ),
  Command.provide(({ config }) => linksLayer(config)),
)

export { parseAccountState } from "./AccountsList.js"

export const accountsCommand = Command.make("accounts").pipe(
  Command.withDescription("Account homes and their shared links"),
  Command.withSubcommands([check, ensure, accountsList]),
)
