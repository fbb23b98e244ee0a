// The demo's sample tasks: twelve short, realistic prompts as task files (frontmatter + body), in enqueue order.

/** The marker the simulated agent answers with Claude Code's usage-limit screen. */
export const LIMIT_MARKER = "[limit]"

export interface DemoTask {
  readonly id: string
  readonly text: string
  /** Where the task should end up: a local session, or the provider it should be delegated to. */
  readonly expected: "local" | "gpu" | "gemini" | "claude-api"
}

const task = (
  id: string,
  body: string,
  expected: DemoTask["expected"],
  frontmatter: ReadonlyArray<string> = [],
): DemoTask => ({
  id,
  expected,
  text: frontmatter.length === 0 ? `${body}\n` : `---\n${frontmatter.join("\n")}\n---\n${body}\n`,
})

/**
 * Eight local tasks (the fifth hits the usage limit of the first account, after a few have finished on it) and
 * four delegated ones: three by `preferred_ai`, one by `allow_delegation` + `complexity_hint`.
 */
export const demoTasks: ReadonlyArray<DemoTask> = [
  task(
    "t01-fix-readme-typos",
    "Fix the typos in README.md and keep the wording otherwise unchanged.",
    "local",
  ),
  task(
    "t02-embed-changelog",
    "Compute embeddings for every CHANGELOG entry and cluster them by topic.",
    "gpu",
    ["preferred_ai: gpu"],
  ),
  task("t03-config-tests", "Add unit tests for the config loader's environment overrides.", "local"),
  task("t04-rename-helper", "Rename the helper parseDur to parseDuration across the code base.", "local"),
  task(
    "t05-summarise-logs",
    "Summarise yesterday's error logs in five bullet points for the stand-up.",
    "gemini",
    ["preferred_ai: gemini"],
  ),
  task("t06-lint-warnings", "Fix the lint warnings in src/domain without changing behaviour.", "local"),
  task(
    "t07-port-parser",
    `Port the duration parser to the new Schema API and keep every existing test green ${LIMIT_MARKER}.`,
    "local",
  ),
  task(
    "t08-review-pr",
    "Review the open pull request on retry backoff and list risky changes.",
    "claude-api",
    ["preferred_ai: claude-api"],
  ),
  task("t09-doc-comments", "Write one-line doc comments for the exported functions in src/layers.", "local"),
  task("t10-flaky-test", "Find why the watcher test is flaky on slow machines and fix it.", "local"),
  task(
    "t11-translate-faq",
    "Translate the FAQ section into French, keeping code blocks as they are.",
    "gpu",
    ["allow_delegation: true", "complexity_hint: low"],
  ),
  task("t12-bump-deps", "Bump the patch versions of the dev dependencies and run the tests.", "local"),
]
